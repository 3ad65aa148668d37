"""Constraints that tie products together (docs/formulation.md), kept on their own Block ``model.linking``.

Each is written as ``sum over products of a per-product term <= b`` with ``b`` independent
of the products (a capacity, or 0 for service), so that a decomposition can split a row
into per-product contributions. Rows with an infinite right-hand side are omitted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import Enum

import numpy as np
import pyomo.environ as pyo

from meio.data.instance import Instance
from meio.models.index import ModelIndex


class LinkingKind(str, Enum):
    """The four families of product-linking constraints of docs/formulation.md, and rows added by variants."""

    STORAGE = "storage"
    INBOUND = "inbound"
    THROUGHPUT = "throughput"
    SERVICE = "service"
    VARIANT = "variant"


class Sense(str, Enum):
    """How a linking row is stated in the model."""

    LE = "<="
    GE = ">="
    EQ = "="


LinkingKey = tuple[LinkingKind, str | None, str | None, str | None]


@dataclass(frozen=True)
class LinkingSpec:
    """A linking row as the decomposition prices it: ``sum_p (D_p z_p + e_p) <= capacity``.

    ``sense`` and ``sign`` say how the model states it: a ``>=`` row ``a z >= b`` is kept as
    ``-a z <= -b`` (sign -1); an equality as two rows, signs +1 and -1 (its free price is the
    difference of theirs). ``name`` is a variant row's Pyomo name (its label); ``dormant``
    rows may stay out of the master LP until a plan violates them (throughput).
    """

    kind: LinkingKind
    node: str | None
    speed: str | None
    scenario: str | None
    capacity: float
    name: str | None = None
    sense: Sense = Sense.LE
    sign: float = 1.0
    dormant: bool = False

    @property
    def key(self) -> LinkingKey:
        if self.kind is LinkingKind.VARIANT:
            return (self.kind, self.name, self.sense.value, str(self.sign))
        return (self.kind, self.node, self.speed, self.scenario)

    @property
    def label(self) -> str:
        return self.name if self.name is not None else linking_label(self.kind, self.node, self.speed, self.scenario)

    @property
    def rhs(self) -> float:
        """The right-hand side as the model states it."""
        return self.sign * self.capacity


@dataclass(frozen=True)
class LinkingRow(LinkingSpec):
    """A linking constraint of a built model: its spec and its Pyomo constraint."""

    constraint: pyo.ConstraintData = field(kw_only=True)


def linking_label(kind: LinkingKind, node: str | None, speed: str | None, scenario: str | None) -> str:
    """Readable name of a linking row, e.g. ``storage[FC1]`` or ``throughput[FC1, s3]``."""
    where = ", ".join(v for v in (node, speed, scenario) if v is not None)
    return f"{kind.value}[{where}]"


def declare_linking(model: pyo.ConcreteModel, instance: Instance, index: ModelIndex) -> list[LinkingRow]:
    """Add ``model.linking`` with storage, inbound, throughput and service; return its rows."""
    model.linking = pyo.Block(doc="product-linking constraints (dualised by the decomposition)")
    rows: list[LinkingRow] = []
    rows += _declare_storage(model, instance, index)
    rows += _declare_inbound(model, instance, index)
    rows += _declare_throughput(model, instance, index)
    rows += _declare_service(model, instance, index)
    return rows


def _finite(series: object) -> dict[str, float]:
    return {k: float(v) for k, v in series.items() if not math.isinf(v) and not math.isnan(v)}  # type: ignore[attr-defined]


def _stocking_pairs_by_node(index: ModelIndex, capacity: dict[str, float]) -> dict[str, list[tuple[str, str]]]:
    """Stocking pairs (p, n) grouped by node, for the nodes that have a finite ``capacity``."""
    pairs: dict[str, list[tuple[str, str]]] = {}
    for p, n in zip(index.y["product"], index.y["node"]):
        if n in capacity:
            pairs.setdefault(n, []).append((p, n))
    return pairs


def _declare_storage(model: pyo.ConcreteModel, instance: Instance, index: ModelIndex) -> list[LinkingRow]:
    """storage[n]:  sum_p unit_volume_p y[p,n] <= storage_capacity_n."""
    capacity = _finite(instance.nodes["storage_capacity"])
    volume = instance.products["unit_volume"]
    pairs = _stocking_pairs_by_node(index, capacity)
    model.linking.storage = pyo.Constraint(
        list(pairs), rule=lambda b, n: pyo.quicksum(float(volume[p]) * model.y[p, n] for p, n in pairs[n])
        <= capacity[n], doc="storage: volume of stock within the node's storage capacity")
    return [LinkingRow(LinkingKind.STORAGE, n, None, None, capacity[n], constraint=model.linking.storage[n])
            for n in pairs]


def _declare_inbound(model: pyo.ConcreteModel, instance: Instance, index: ModelIndex) -> list[LinkingRow]:
    """inbound[n]:  sum_p (y[p,n] - on_hand[p,n]) <= inbound_capacity_n."""
    capacity = _finite(instance.nodes["inbound_capacity"])
    pairs = _stocking_pairs_by_node(index, capacity)
    model.linking.inbound = pyo.Constraint(
        list(pairs), rule=lambda b, n: pyo.quicksum(model.y[k] - model.on_hand[k] for k in pairs[n])
        <= capacity[n], doc="inbound: units bought at the node within its inbound capacity")
    return [LinkingRow(LinkingKind.INBOUND, n, None, None, capacity[n], constraint=model.linking.inbound[n])
            for n in pairs]


def _declare_throughput(model: pyo.ConcreteModel, instance: Instance, index: ModelIndex) -> list[LinkingRow]:
    """throughput[n,s]:  sum_p sum_{(r,c): n in nodes(r)} x[p,r,c,s] <= throughput_capacity_n."""
    capacity = _finite(instance.nodes["throughput_capacity"])
    x = index.x
    keys = list(zip(x["product"], x["route"], x["class"], x["scenario"]))
    groups: dict[tuple[str, str], list[tuple[str, str, str, str]]] = {}
    for row, node in zip(index.x_nodes["row"], index.x_nodes["node"]):
        if node in capacity:
            groups.setdefault((node, keys[row][3]), []).append(keys[row])
    model.linking.throughput = pyo.Constraint(
        list(groups), rule=lambda b, n, s: pyo.quicksum(model.x[k] for k in groups[n, s]) <= capacity[n],
        doc="throughput: units leaving or passing through the node per scenario")
    return [LinkingRow(LinkingKind.THROUGHPUT, n, None, s, capacity[n], constraint=model.linking.throughput[n, s],
                       dormant=True)
            for n, s in groups]


def _declare_service(model: pyo.ConcreteModel, instance: Instance, index: ModelIndex) -> list[LinkingRow]:
    """service[k]:  sum_s w_s sum_{p,c: speed(c)=k} (u[p,c,s] - (1 - target_k) d[p,c,s]) <= 0."""
    target = instance.speeds["fill_rate_target"].dropna()
    u = index.u[index.u["speed"].isin(target.index)]
    groups: dict[str, list[tuple[tuple[str, str, str], float]]] = {}
    for p, c, s, k, w in zip(u["product"], u["class"], u["scenario"], u["speed"], u["weight"]):
        groups.setdefault(k, []).append(((p, c, s), float(w)))
    model.linking.service = pyo.Constraint(
        list(groups), rule=lambda b, k: pyo.quicksum(
            w * (model.u[key] - (1.0 - float(target[k])) * model.d[key]) for key, w in groups[k]) <= 0.0,
        doc="service: expected unmet demand of the speed within (1 - fill-rate target) of its demand")
    return [LinkingRow(LinkingKind.SERVICE, None, k, None, 0.0, constraint=model.linking.service[k]) for k in groups]


def violation_scale(capacity: np.ndarray) -> np.ndarray:
    """The size max(1, |b_i|) a row's violation is measured against: the weights of the least
    total violation that both methods minimise (the elastic model of meio.diagnose, phase one of
    the decomposition), so that they name the same rows with the same shortfalls."""
    return np.maximum(1.0, np.abs(capacity))
