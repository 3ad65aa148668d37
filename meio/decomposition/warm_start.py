"""Warm start for re-planning: what a previous result directory offers a new run.

- warm_start.npz: each product's plan (repaired for the new demand by
  :func:`meio.decomposition.primal.repaired_solution`, no solve), the prices of the best
  Lagrangian bound (the first pricing point and stability centre), and each product's
  fingerprint and term of that bound (a product whose subproblem did not change takes its term
  over instead of being solved again, see :mod:`meio.decomposition.changes`);
- bases.npz (HiGHS): the subproblems' final simplex bases, so the first pass re-solves warm;
- prices.csv and stock.csv: the fallback for a result without warm_start.npz (final prices,
  and a column per product re-solved with its stock fixed).

The coordinator reads only the prices (:func:`read_prices`); each worker reads the plans,
stock and bases of its own products (:func:`read_warm_start`), so the directory must be
reachable from every worker (a shared file system on a cluster).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from meio.checked_csv import CsvColumns, read_checked_csv
from meio.decomposition.subproblem import ProductLP
from meio.errors import MeioError
from meio.models.linking import LinkingSpec
from meio.results.tables import STOCK_CSV
from meio.results.writer import missing_plan_file, read_summary

#: The columns of prices.csv a warm start without warm_start.npz reads (its first pricing point).
WARM_PRICES_CSV = CsvColumns(text=("constraint",), numbers=("price",))
#: The subproblem bases of a result (HiGHS), written by the decomposition for later warm starts.
BASES_FILE = "bases.npz"
BASES_FIELDS = ("product", "columns", "rows", "col_status", "row_status")
#: Each product's plan z_p of a result and the prices of its best Lagrangian bound (the
#: stability centre: closer to optimal duals than the master's final prices), written by
#: the decomposition for later warm starts.
WARM_FILE = "warm_start.npz"
WARM_FIELDS = ("product", "columns", "nonzeros", "index", "value", "row", "center", "fingerprint", "center_value")
#: The fields of the terms a re-plan takes over (absent from results written before them).
TERM_FIELDS = ("product", "fingerprint", "center_value", "row", "center")


@dataclass(frozen=True, eq=False)
class WarmStart:
    """A worker's share of a previous result: stock per product, each product's previous plan z_p
    where ``warm_start.npz`` has one of the same shape, each unchanged product's term of the best
    bound with the prices of its rows there (``terms``, None where the fingerprint differs) and,
    when the previous run wrote ``bases.npz`` (HiGHS), its subproblems' final bases."""

    stock: list[np.ndarray | None]
    plans: list[np.ndarray | None]
    terms: list[tuple[float, np.ndarray] | None]
    bases: dict[str, np.ndarray] | None


@dataclass(frozen=True)
class WarmPrices:
    """The first pricing point of a warm start, and what of the previous result it matched:
    ``matched`` linking rows by label, the previous result's ``instance`` (None if unrecorded)."""

    mu: np.ndarray
    matched: int
    instance: str | None


def read_prices(directory: Path, rows: list[LinkingSpec]) -> WarmPrices:
    """The first pricing point (what the coordinator reads): the best-bound prices of
    warm_start.npz, or the final prices of prices.csv without it; 0 where the previous run had
    no such row."""
    stored = _read_arrays(directory / WARM_FILE, ("row", "center"))
    if stored is not None:
        price = dict(zip(stored["row"], stored["center"]))
    else:
        prices = _read_csv(directory / "prices.csv", WARM_PRICES_CSV)
        price = dict(zip(prices["constraint"], prices["price"].fillna(0.0)))
    mu = np.array([max(0.0, float(price.get(row.label, 0.0))) for row in rows])
    return WarmPrices(mu, sum(row.label in price for row in rows), _recorded_instance(directory))


def _recorded_instance(directory: Path) -> str | None:
    """The instance a result directory's summary.json names (None if it names none)."""
    name = (read_summary(directory) or {}).get("instance")
    return name if isinstance(name, str) else None


def read_warm_start(directory: Path, subproblems: list[ProductLP], fingerprints: list[str],
                    link_labels: list[list[str]]) -> WarmStart:
    """Read a previous result's warm_start.npz (plans and terms), bases.npz and stock.csv for the
    products of ``subproblems`` (what a worker reads; their ``fingerprints`` and the labels of
    their linking rows); products may differ."""
    stock = _read_csv(directory / "stock.csv", STOCK_CSV)
    stored = _read_arrays(directory / WARM_FILE, WARM_FIELDS[:5])
    previous = pd.Series(stock["stock"].to_numpy(dtype=float),
                         index=pd.MultiIndex.from_arrays([stock["product"], stock["node"]]))
    keys = pd.MultiIndex.from_arrays([np.concatenate([np.full(len(sub.stock_nodes), sub.product, dtype=object)
                                                      for sub in subproblems]),
                                      np.concatenate([sub.stock_nodes for sub in subproblems])])
    y = np.split(previous.reindex(keys).to_numpy(), np.cumsum([len(sub.stock_nodes) for sub in subproblems])[:-1])
    per_product = [None if np.isnan(values).any() else values for values in y]
    terms = _read_arrays(directory / WARM_FILE, TERM_FIELDS, optional=True)
    return WarmStart(stock=per_product, plans=_plans(stored, subproblems) if stored else [None] * len(y),
                     terms=_terms(terms, subproblems, fingerprints, link_labels) if terms else [None] * len(y),
                     bases=_read_arrays(directory / BASES_FILE, BASES_FIELDS))


def _read_csv(path: Path, columns: CsvColumns) -> pd.DataFrame:
    if not path.is_file():
        raise MeioError(f"--warm-start {missing_plan_file(path.parent, path.name)}")
    return read_checked_csv(path, columns)


def _plans(stored: dict[str, np.ndarray], subproblems: list[ProductLP]) -> list[np.ndarray | None]:
    """Each product's stored plan as a dense vector, where the product and its column count match."""
    end = np.cumsum(stored["nonzeros"])
    found = {str(name): k for k, name in enumerate(stored["product"])}
    plans: list[np.ndarray | None] = []
    for sub in subproblems:
        k = found.get(sub.product)
        if k is None or stored["columns"][k] != sub.columns:
            plans.append(None)
            continue
        part = slice(end[k] - stored["nonzeros"][k], end[k])
        z = np.zeros(sub.columns)
        z[stored["index"][part]] = stored["value"][part]
        plans.append(z)
    return plans


def _terms(stored: dict[str, np.ndarray], subproblems: list[ProductLP], fingerprints: list[str],
           link_labels: list[list[str]]) -> list[tuple[float, np.ndarray] | None]:
    """Each product's stored term and the stored prices of its linking rows, where the product's
    fingerprint is the stored one and its term and every price were stored; none when two stored
    rows share a label (the two sides of a variant's ranged row): their prices cannot be told apart."""
    if len(set(stored["row"])) < len(stored["row"]):
        return [None] * len(subproblems)
    found = {str(name): k for k, name in enumerate(stored["product"])}
    price = dict(zip(stored["row"], stored["center"]))
    terms: list[tuple[float, np.ndarray] | None] = []
    for sub, mark, labels in zip(subproblems, fingerprints, link_labels, strict=True):
        k = found.get(sub.product)
        if k is None or stored["fingerprint"][k] != mark or not np.isfinite(stored["center_value"][k]) \
                or any(label not in price for label in labels):
            terms.append(None)
            continue
        terms.append((float(stored["center_value"][k]), np.array([price[label] for label in labels], dtype=float)))
    return terms


def _read_arrays(path: Path, fields: tuple[str, ...], optional: bool = False) -> dict[str, np.ndarray] | None:
    """The ``fields`` of an .npz file (None if it does not exist, or if ``optional`` and a field is missing)."""
    if not path.exists():
        return None
    try:
        with np.load(path) as stored:  # allow_pickle stays off: a result's arrays hold no objects
            missing = [name for name in fields if name not in stored.files]
            if missing and optional:
                return None
            if missing:
                raise MeioError(f"--warm-start: {path} has no array '{missing[0]}' (it was not written by "
                                "'meio solve'; delete it to start from prices.csv and stock.csv)")
            return {name: stored[name] for name in fields}
    except (OSError, ValueError, EOFError) as error:  # numpy reads a file that is no .npz as a pickle: refused
        raise MeioError(f"--warm-start: {path} is not a readable .npz file ({type(error).__name__}); it was not "
                        "written by 'meio solve' or is damaged: delete it to start from prices.csv and "
                        "stock.csv") from None
