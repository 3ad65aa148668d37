"""Decision variables of docs/formulation.md: stock positions y, on-time shipments x, unmet demand u."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyomo.environ as pyo
from pyomo.core.base.var import IndexedVar

from meio.models.index import ModelIndex


class LazyVar(IndexedVar):
    """An indexed variable that creates each of its variables on first use, yet iterates, counts and
    tests membership over its whole index set, as the dense variable of the complete model does:
    ``for k in model.x`` (or ``model.x.values()``) in a model variant gives on the variant skeleton
    exactly what it gives on the complete model. (A sparse Pyomo Var iterates only the variables
    already used: rows built by iterating it would silently lose their terms.) ``_data`` holds the
    variables created so far."""

    def keys(self, sort: Any = None, ordered: Any = None) -> Iterator[Any]:
        return iter(self._index_set)

    def __len__(self) -> int:
        return len(self._index_set)

    def __contains__(self, idx: object) -> bool:
        return idx in self._index_set


def declare_stock(model: pyo.ConcreteModel, index: ModelIndex, integer: bool) -> None:
    """y[p,n] >= on_hand[p,n] for (p,n) in A: stock position after buying; integer if asked."""
    keys = list(zip(index.y["product"], index.y["node"]))
    on_hand = dict(zip(keys, index.y["on_hand"]))
    model.A = pyo.Set(initialize=keys, dimen=2, ordered=True, doc="stocking pairs (p, n)")
    model.on_hand = pyo.Param(model.A, initialize=on_hand, doc="on-hand stock")
    domain = pyo.NonNegativeIntegers if integer else pyo.NonNegativeReals
    model.y = pyo.Var(model.A, within=domain, bounds=lambda m, p, n: (on_hand[p, n], None),
                      doc="stock position y[p,n]")


def declare_shipments(model: pyo.ConcreteModel, index: ModelIndex, sparse: bool = False) -> None:
    """x[p,r,c,s] >= 0 for (r,c) in E, (p, origin(r)) in A and d[p,c,s] > 0.

    ``sparse``: the index set wraps an insertion-ordered dict of the keys (membership in O(1); a
    list would make every index check a scan) and each x is created on first use."""
    x = index.x
    keys = list(zip(x["product"], x["route"], x["class"], x["scenario"]))
    doc = "shipment index (p, r, c, s)"
    model.X = pyo.SetOf(dict.fromkeys(keys)) if sparse else pyo.Set(initialize=keys, dimen=4, ordered=True, doc=doc)
    var = LazyVar if sparse else pyo.Var
    model.x = var(model.X, within=pyo.NonNegativeReals, dense=not sparse, doc="on-time shipments x[p,r,c,s]")


def declare_unmet(model: pyo.ConcreteModel, index: ModelIndex, sparse: bool = False) -> None:
    """u[p,c,s] >= 0 for d[p,c,s] > 0, and the demand parameter d itself.

    ``sparse``: the index set wraps an insertion-ordered dict of the keys and each u is created on
    first use."""
    u = index.u
    keys = list(zip(u["product"], u["class"], u["scenario"]))
    doc = "demand index (p, c, s) with d > 0"
    model.D = pyo.SetOf(dict.fromkeys(keys)) if sparse else pyo.Set(initialize=keys, dimen=3, ordered=True, doc=doc)
    model.d = pyo.Param(model.D, initialize=dict(zip(keys, u["quantity"])), doc="demand d[p,c,s]")
    var = LazyVar if sparse else pyo.Var
    model.u = var(model.D, within=pyo.NonNegativeReals, dense=not sparse, doc="unmet demand u[p,c,s]")
