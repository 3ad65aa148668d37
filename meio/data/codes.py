"""Integer codes of string keys: positions in a table's labels, and the array tricks that use them.

The index tables have millions of rows keyed by product, route, class and scenario names.
Hashing or sorting those strings dominated the build, so the tables are joined and ordered
on integer codes (a label's position in its table), and their string columns are taken
from the labels by code once, at the end.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def positions(values: pd.Series | list[str], labels: pd.Index, missing: bool = False) -> np.ndarray:
    """The position of each value in ``labels`` (unique), as int64; a value not in ``labels``
    is a KeyError, as with ``.loc``, unless ``missing`` allows it (then its position is -1)."""
    codes, uniques = factorized(values)
    found = np.append(labels.get_indexer(pd.Index(uniques)), -1).astype(np.int64)[codes]
    if not missing and (found < 0).any():
        raise KeyError(f"not in the index: {pd.unique(np.asarray(values, dtype=object)[found < 0])[:5].tolist()}")
    return found


def factorized(values: pd.Series | list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Codes (int64, -1 for a blank) and the distinct values (object array) in order of first
    appearance; through an object array, which pandas hashes about twice as fast as a str column."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    return codes.astype(np.int64, copy=False), np.asarray(uniques, dtype=object)


def string_rank(labels: pd.Index) -> np.ndarray:
    """The rank of each label in sorted (string) order: sorting by rank is sorting by label."""
    rank = np.empty(len(labels), dtype=np.int64)
    rank[np.argsort(np.asarray(labels, dtype=object), kind="stable")] = np.arange(len(labels))
    return rank


def ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The concatenation of ``arange(start, start + count)`` over aligned ``starts`` and ``counts``."""
    ends = np.cumsum(counts)
    return np.repeat(starts - (ends - counts), counts) + np.arange(int(ends[-1]) if len(ends) else 0)


def number_codes(codes: Sequence[np.ndarray], sizes: Sequence[int]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Number the distinct rows of aligned code columns (code i in ``range(sizes[i])``, or -1 for
    none) 0, 1, ... in order of first appearance; the numbers, and each column's codes of the
    distinct rows in that order."""
    numbers, distinct = pd.factorize(_pack(codes, sizes))
    return numbers.astype(np.int64, copy=False), _unpack(np.asarray(distinct), sizes)


def _pack(codes: Sequence[np.ndarray], sizes: Sequence[int]) -> np.ndarray:
    """One int64 per row, the same for equal rows and different for different ones."""
    if np.prod([size + 1.0 for size in sizes]) >= 2.0 ** 63:
        raise OverflowError("too many combinations of codes for one int64")
    packed = np.zeros(len(codes[0]), dtype=np.int64)
    for column, size in zip(codes, sizes):
        packed *= size + 1
        packed += column
        packed += 1
    return packed


def _unpack(packed: np.ndarray, sizes: Sequence[int]) -> list[np.ndarray]:
    """The code columns :func:`_pack` made ``packed`` from."""
    columns = []
    for size in reversed(sizes):
        packed, code = np.divmod(packed, size + 1)
        columns.append(code - 1)
    return columns[::-1]
