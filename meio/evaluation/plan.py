"""A plan is a stock position y[p,n] per stocking pair; read from a result directory's stock.csv."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from meio.checked_csv import read_checked_csv
from meio.data.instance import Instance
from meio.errors import MeioError
from meio.results.tables import STOCK_CSV
from meio.results.writer import missing_plan_file, plan_digest, read_summary

#: Stock may sit below on-hand stock by this much (rounding in stock.csv) before it is an error.
TOLERANCE = 1e-6


@dataclass(frozen=True, eq=False)
class Plan:
    """A named stock table (product, node, stock) for an instance.

    ``digest`` is the :func:`~meio.results.writer.plan_digest` of the result directory it was
    read from (None for a plan computed on the fly, such as a baseline).
    """

    name: str
    stock: pd.DataFrame
    digest: str | None = None

    def aligned(self, pairs: pd.DataFrame) -> np.ndarray:
        """Stock per row of ``pairs`` (product, node); pairs the plan does not list keep on-hand."""
        given = self.stock.set_index(["product", "node"])["stock"]
        keys = pd.MultiIndex.from_frame(pairs[["product", "node"]])
        values = given.reindex(keys).to_numpy(float)
        return np.where(np.isnan(values), pairs["on_hand"].to_numpy(float), values)


def plan_from_values(name: str, pairs: pd.DataFrame, y: np.ndarray) -> Plan:
    """A plan from stock values aligned with ``pairs``."""
    table = pairs[["product", "node"]].copy()
    table["stock"] = np.asarray(y, dtype=float)
    return Plan(name, table.reset_index(drop=True))


def read_plan(result_dir: str | Path, instance: Instance, name: str | None = None) -> Plan:
    """Read ``RESULT_DIR/stock.csv`` and check it against the instance's stocking pairs A."""
    directory = Path(result_dir)
    path = directory / "stock.csv"
    if not path.is_file():
        raise MeioError(missing_plan_file(directory, "stock.csv"))
    stock = read_checked_csv(path, STOCK_CSV)
    _check_against(path, stock, instance)
    return Plan(name or _plan_name(directory), stock[["product", "node", "stock"]].reset_index(drop=True),
                plan_digest(directory))


def _check_against(path: Path, stock: pd.DataFrame, instance: Instance) -> None:
    for column, known, what in (("product", instance.products.index, "products.csv"),
                                ("node", instance.nodes.index, "nodes.csv")):
        unknown = ~stock[column].isin(known)
        if unknown.any():
            line = int(np.flatnonzero(unknown)[0]) + 2
            raise MeioError(f"{path}, line {line}, column '{column}': '{stock[column].iloc[line - 2]}' is not "
                            f"in the instance's {what}; the plan was made for another instance")
    category = instance.products["category"]
    for line, (p, n, y) in enumerate(zip(stock["product"], stock["node"], stock["stock"]), start=2):
        if y > TOLERANCE and not instance.accepts(n, category[p]):
            raise MeioError(f"{path}, line {line}: node '{n}' does not accept category '{category[p]}' of "
                            f"product '{p}', so it cannot stock it")
    on_hand = instance.on_hand()
    if len(on_hand):
        keys = pd.MultiIndex.from_frame(stock[["product", "node"]])
        held = on_hand.groupby(level=[0, 1]).sum().reindex(keys).fillna(0.0).to_numpy()
        below = stock["stock"].to_numpy() < held - TOLERANCE
        if below.any():
            line = int(np.flatnonzero(below)[0]) + 2
            raise MeioError(f"{path}, line {line}, column 'stock': stock is below the on-hand stock of "
                            f"({stock['product'].iloc[line - 2]}, {stock['node'].iloc[line - 2]})")


def _plan_name(directory: Path) -> str:
    method = (read_summary(directory) or {}).get("method")
    if isinstance(method, str) and method.startswith("baseline"):
        return method.removeprefix("baseline-")
    return directory.name


def capacity_violations(instance: Instance, plan: Plan) -> list[str]:
    """Storage and inbound capacities the plan's stock breaks (first-stage rows of the formulation)."""
    stock = plan.stock
    volume = stock["stock"] * instance.products.loc[stock["product"], "unit_volume"].to_numpy()
    used = volume.groupby(stock["node"].to_numpy()).sum()
    on_hand = instance.on_hand().groupby(level=1).sum() if len(instance.on_hand()) else pd.Series(dtype=float)
    bought = stock["stock"].groupby(stock["node"].to_numpy()).sum() - on_hand.reindex(used.index).fillna(0.0)
    problems = []
    for node, row in instance.nodes.iterrows():
        for kind, value, capacity in (("storage", used.get(node, 0.0), row["storage_capacity"]),
                                      ("inbound", bought.get(node, 0.0), row["inbound_capacity"])):
            if np.isfinite(capacity) and value > capacity * (1 + 1e-6) + 1e-6:
                problems.append(f"{kind}[{node}]: {value:,.2f} > capacity {capacity:,.2f}")
    return problems
