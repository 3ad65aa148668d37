"""Which products a re-plan must solve again: fingerprints of the subproblems.

A product's term of the Lagrangian, v_p(mu) = min_z [c_p z + mu . (D_p z + e_p)], depends on
its subproblem's numbers and on the prices of its own linking rows only. A result stores each
product's fingerprint (a hash of every number of its subproblem and the labels of its linking
rows) and its term at the best bound's prices. A warm start whose product has the same
fingerprint, priced at the same prices on its rows, has the same term: it is taken over
instead of solved again, which is what makes a re-plan after a change to a few products cost
little more than their re-solves (docs/decomposition.md, "Warm start").
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from meio.decomposition.subproblem import ProductLP

#: Bytes of a fingerprint (a BLAKE2b digest): two different subproblems collide with probability 2^-128.
DIGEST_BYTES = 16
#: Between the names in a fingerprint (a character no node or row label holds).
SEPARATOR = "\x1f"


def fingerprint(sub: ProductLP, link_labels: Sequence[str]) -> bytes:
    """A digest of every number of the product's subproblem (costs, offset, rows, bounds,
    integrality, linking use), the nodes of its stock columns and the labels of its linking
    rows, in their order."""
    digest = hashlib.blake2b(digest_size=DIGEST_BYTES)
    # A's coefficients as float64, however they are held (the numpy builder keeps int8)
    arrays = (sub.c, np.array([sub.offset]), np.asarray(sub.A.data, dtype=float), sub.A.indices, sub.A.indptr,
              sub.row_lower, sub.row_upper, sub.lower, sub.upper, sub.integer, sub.D.data, sub.D.indices, sub.D.indptr,
              sub.link_const)
    shapes = [(array.dtype.str, array.shape) for array in arrays]
    digest.update(repr((shapes, sub.A.shape, sub.D.shape)).encode())
    for array in arrays:
        digest.update(np.ascontiguousarray(array).data)
    digest.update(SEPARATOR.join(map(str, sub.stock_nodes)).encode())
    digest.update(b"\x00")
    digest.update(SEPARATOR.join(link_labels).encode())
    return digest.digest()
