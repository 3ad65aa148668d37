"""How big the extensive model is, counted from its index tables without building it in Pyomo.

The counts follow the builder's rules (docs/formulation.md): one availability row per
(product, origin, scenario) with a shipment, one demand row per demand entry, a linking row
per node with a finite capacity and some term, per speed with a target and some demand.
Building the model at 2,000 products takes tens of seconds and gigabytes; counting takes
seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from meio.data.derived import DerivedSets
from meio.data.instance import Instance


@dataclass(frozen=True)
class ModelSize:
    """Variables, constraints and constraint-matrix non-zeros of the extensive model, by family."""

    variables: dict[str, int]
    constraints: dict[str, int]
    nonzeros: int

    @property
    def total_variables(self) -> int:
        return sum(self.variables.values())

    @property
    def total_constraints(self) -> int:
        return sum(self.constraints.values())


def _finite(capacity: pd.Series) -> np.ndarray:
    """Per node, whether its capacity is finite (the others get no row)."""
    return np.isfinite(capacity.to_numpy(dtype=float))


def count_model(instance: Instance, sets: DerivedSets) -> ModelSize:
    """The sizes :func:`meio.models.build_model` would give (no variants), from integer codes.

    ``stocked[p, n]`` marks the stocking pairs A; ``starting[c, o]`` counts the eligible
    routes of class c that start at o, ``routes[c, o, m]`` those of them that pass m. A demand
    entry (p, c, s) gets one shipment per eligible route whose origin stocks p, and each such
    route uses throughput at its nodes.
    """
    nodes = pd.Index(instance.nodes.index)
    products = pd.Index(instance.products.index)
    classes = pd.Index(sets.classes.index)
    stocked = np.zeros((len(products), len(nodes)), dtype=bool)
    stocked[products.get_indexer(sets.stocking["product"]), nodes.get_indexer(sets.stocking["node"])] = True
    routes = np.zeros((len(classes), len(nodes), len(nodes)), dtype=np.int64)
    starting = np.zeros((len(classes), len(nodes)), dtype=np.int64)
    origin, passes = sets.routes["origin"], sets.routes["nodes"]
    for route, klass in zip(sets.eligible["route"], sets.eligible["class"]):
        k, o = classes.get_loc(klass), nodes.get_loc(origin[route])
        starting[k, o] += 1
        routes[k, o, nodes.get_indexer(list(passes[route]))] += 1
    demand = sets.demand
    p, c = products.get_indexer(demand["product"]), classes.get_indexer(demand["class"])
    s = pd.Index(instance.scenarios.index).get_indexer(demand["scenario"])
    reach = stocked[p]  # per demand entry, the nodes that stock its product
    shipments = int((starting[c] * reach).sum())
    availability = sum(len(np.unique(p[hit] * len(instance.scenarios) + s[hit]))
                       for hit in (reach & (starting[c] > 0)).T)
    finite_through = _finite(instance.nodes["throughput_capacity"])
    through_nonzeros = int((routes[:, :, finite_through].sum(axis=2)[c] * reach).sum())
    throughput = sum(len(np.unique(s[(reach & (routes[c, :, m] > 0)).any(axis=1)]))
                     for m in np.flatnonzero(finite_through))
    targeted = demand["class"].map(sets.classes["speed"]).isin(instance.speeds["fill_rate_target"].dropna().index)
    pairs = {kind: stocked[:, _finite(instance.nodes[f"{kind}_capacity"])] for kind in ("storage", "inbound")}
    constraints = {
        "availability": availability, "demand": len(demand),
        "storage": int(pairs["storage"].any(axis=0).sum()), "inbound": int(pairs["inbound"].any(axis=0).sum()),
        "throughput": throughput,
        "service": int(demand.loc[targeted.to_numpy(), "class"].map(sets.classes["speed"]).nunique()),
    }
    nonzeros = (2 * shipments + availability + len(demand) + int(pairs["storage"].sum())
                + int(pairs["inbound"].sum()) + through_nonzeros + int(targeted.sum()))
    return ModelSize(variables={"y": len(sets.stocking), "x": shipments, "u": len(demand)},
                     constraints=constraints, nonzeros=nonzeros)
