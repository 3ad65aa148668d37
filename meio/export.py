"""The extensive form in standard formats, for any solver: MPS or LP, and a GCG ``.dec`` file.

- Columns and rows carry the names of the formulation: ``y(p01,fc_houston)``,
  ``x(p01,r3,c7,s02)``, ``demand(p01,c7,s02)``, ``linking.storage(fc_houston)``, ... (Pyomo's
  names with ``[ ]`` written as ``( )``, since LP files reserve brackets; other characters
  outside letters, digits and ``_().,-`` become ``_``).
- The objective's constant (the purchase cost of on-hand stock is not paid, so the SAA
  objective has a constant term) is the column ``objective_constant``, fixed to 1 with that
  constant as its cost: every reader of MPS or LP files honours it, so any solver's optimum is
  meio's objective.
- The ``.dec`` file (GCG's format) puts every row of one product in that product's block and
  the linking rows (storage, inbound, throughput, service, and any row over several products)
  in the master: ``MASTERCONSS``.

The files are written by HiGHS from the model Pyomo compiles (:mod:`meio.solvers.matrix`), the
same matrix every backend solves.
"""

from __future__ import annotations

import re
from pathlib import Path

import highspy
import numpy as np

from meio.errors import MeioError
from meio.models.build import BuiltModel
from meio.solvers.highs import new_highs, to_highs_lp
from meio.solvers.matrix import MatrixForm, compile_matrix

FORMATS = ("mps", "lp")
#: Name of the fixed column whose cost is the objective's constant.
CONSTANT_COLUMN = "objective_constant"
_UNSAFE = re.compile(r"[^A-Za-z0-9_().,\-]")


def safe_name(name: str) -> str:
    """A Pyomo component name as MPS and LP files accept it."""
    return _UNSAFE.sub("_", name.replace(" ", "").replace("[", "(").replace("]", ")"))


def names(form: MatrixForm) -> tuple[list[str], list[str]]:
    """The column and row names of ``form``; :class:`MeioError` if two become the same."""
    columns = [safe_name(v.name) for v in form.variables]
    rows = [safe_name(c.name) for c in form.constraints]
    for kind, listed in (("column", columns + [CONSTANT_COLUMN]), ("row", rows)):
        if len(set(listed)) != len(listed):
            raise MeioError(f"two {kind}s of the model have the same name in the export")
    return columns, rows


def write_model(built: BuiltModel, path: Path, format: str) -> MatrixForm:
    """Write the extensive form of ``built`` to ``path`` as ``format`` (mps or lp); return its matrix form."""
    if format not in FORMATS:
        raise MeioError(f"unknown format '{format}' (choose from {', '.join(FORMATS)})")
    form = compile_matrix(built.model)
    columns, rows = names(form)
    lp = to_highs_lp(form, integer=built.integer)
    lp.model_name_ = safe_name(built.instance.name) or "meio"
    lp.col_names_, lp.row_names_ = columns, rows
    highs = new_highs()
    highs.passModel(lp)
    highs.addCol(form.offset, 1.0, 1.0, 0, np.array([], dtype=np.int32), np.array([], dtype=float))
    highs.passColName(len(columns), CONSTANT_COLUMN)
    scratch = path.with_name(f"{path.name}.partial.{format}")  # HiGHS picks the format by extension
    try:
        if highs.writeModel(str(scratch)) != highspy.HighsStatus.kOk or not scratch.is_file():
            raise MeioError(f"HiGHS could not write {path}")
        scratch.replace(path)
    except OSError as error:
        raise MeioError(f"cannot write {path}: {error}") from error
    finally:
        scratch.unlink(missing_ok=True)
    return form


def row_blocks(built: BuiltModel, form: MatrixForm) -> np.ndarray:
    """For every row of ``form``, the position of its product in ``instance.products`` (-1: a master row).

    A row is in a product's block when every column it uses is a ``y``, ``x`` or ``u`` of that
    product and it is not a linking row of the model.
    """
    model = built.model
    position = {p: i for i, p in enumerate(built.instance.products.index)}
    families = (model.y, model.x, model.u)
    product = np.array([position[v.index()[0]] if v.parent_component() in families else -1
                        for v in form.variables], dtype=np.int64)
    A = form.A.tocsr()
    block = np.full(A.shape[0], -1, dtype=np.int64)
    filled = np.flatnonzero(np.diff(A.indptr) > 0)
    if filled.size:
        codes = product[A.indices]
        low = np.minimum.reduceat(codes, A.indptr[filled])
        high = np.maximum.reduceat(codes, A.indptr[filled])
        block[filled] = np.where(low == high, low, -1)
    linking = {row.constraint for row in built.linking}
    block[[i for i, c in enumerate(form.constraints) if c in linking]] = -1
    return block


def write_dec(built: BuiltModel, form: MatrixForm, path: Path) -> dict[str, list[str]]:
    """Write GCG's ``.dec`` file: one block per product (in product order), the linking rows as
    master constraints. Returns the rows by block name (products, and ``master``)."""
    _, rows = names(form)
    block = row_blocks(built, form)
    products = list(built.instance.products.index)
    blocks = {products[b]: [rows[i] for i in np.flatnonzero(block == b)] for b in range(len(products))}
    blocks = {p: members for p, members in blocks.items() if members}
    master = [rows[i] for i in np.flatnonzero(block == -1)]
    lines = ["\\ GCG decomposition of the meio extensive form: one block per product, linking rows in the master",
             "PRESOLVED", "0", "NBLOCKS", str(len(blocks))]
    for number, (product, members) in enumerate(blocks.items(), start=1):
        lines += [f"BLOCK {number}", f"\\ product {product}", *members]
    lines += ["MASTERCONSS", *master]
    try:
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    except OSError as error:
        raise MeioError(f"cannot write {path}: {error}") from error
    return {**blocks, "master": master}
