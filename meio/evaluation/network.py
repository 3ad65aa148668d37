"""The network of an instance as integer-coded arrays, built once and shared by both policies.

An *arc* is a way to serve one unit of product p in demand class c on time: a route r
with (r, c) in E and (p, origin(r)) in A. Arcs carry the shipping cost c(r,p), the
holding cost h_p f_origin saved by shipping the unit, the pair (p, origin) whose stock
they draw on and the nodes whose throughput they use. Arcs of one (p, c) are stored
contiguously, cheapest net cost c(r,p) - h_p f_origin first (ties by route name), so the
dynamic policy reads its candidate routes in order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from meio.data.derived import DerivedSets
from meio.data.instance import Instance


@dataclass(frozen=True, eq=False)
class Network:
    """Integer-coded products P, nodes N, classes C, speeds K, stocking pairs A and arcs.

    - ``pairs``: stocking pairs (product, node, on_hand, unit_cost, holding), row = pair id.
    - ``arc_*``: per arc its pair, product, class, origin, zone, shipping cost, saved holding
      and ``arc_nodes`` (arcs x max nodes per route, padded with N, a dummy uncapacitated node).
    - ``pc_start``: arcs of (p, c) are ``pc_start[p*C + c] : pc_start[p*C + c + 1]``.
    - ``penalty``: (P, C) lost-sale cost times the speed's penalty factor.
    - ``class_speed``, ``class_window``: speed id and window rank (0 without windows) per class.
    - ``throughput``: (N + 1,) throughput capacity, inf where none (and for the dummy node).
    """

    products: pd.Index
    nodes: pd.Index
    zones: pd.Index
    speeds: pd.Index
    classes: pd.DataFrame
    pairs: pd.DataFrame
    arc_pair: np.ndarray
    arc_product: np.ndarray
    arc_class: np.ndarray
    arc_origin: np.ndarray
    arc_zone: np.ndarray
    arc_cost: np.ndarray
    arc_holding: np.ndarray
    arc_nodes: np.ndarray
    pc_start: np.ndarray
    penalty: np.ndarray
    class_speed: np.ndarray
    class_window: np.ndarray
    throughput: np.ndarray

    @property
    def net_cost(self) -> np.ndarray:
        """c(r,p) - h_p f_origin: the change of the objective per unit shipped on the arc."""
        return self.arc_cost - self.arc_holding

    def candidates(self) -> np.ndarray:
        """(P*C, L) arc ids of each (p, c) in order of net cost, padded with -1."""
        counts = np.diff(self.pc_start)
        width = int(counts.max(initial=0))
        table = np.full((len(counts), max(width, 1)), -1, dtype=np.int64)
        pc = np.repeat(np.arange(len(counts)), counts)
        position = np.arange(len(pc)) - self.pc_start[pc]
        table[pc, position] = np.arange(len(pc))
        return table


def build_network(instance: Instance, sets: DerivedSets) -> Network:
    """Code the instance's network; independent of the demand scenarios."""
    products, nodes = instance.products.index, instance.nodes.index
    classes = sets.classes
    pairs = sets.stocking[["product", "node", "on_hand"]].copy()
    pairs["unit_cost"] = instance.products.loc[pairs["product"], "unit_cost"].to_numpy()
    pairs["holding"] = (instance.products.loc[pairs["product"], "holding_cost"].to_numpy()
                        * instance.nodes.loc[pairs["node"], "holding_factor"].to_numpy())
    pairs = pairs.reset_index(drop=True)

    routes = sets.routes.reset_index()
    arcs = sets.eligible.merge(routes[["route", "origin", "zone", "unit_cost", "volume_cost"]], on="route")
    arcs = arcs.merge(pairs[["product", "node", "holding"]].reset_index().rename(
        columns={"index": "pair", "node": "origin"}), on="origin")
    volume = instance.products.loc[arcs["product"], "unit_volume"].to_numpy()
    arcs["cost"] = arcs["unit_cost"].to_numpy() + arcs["volume_cost"].to_numpy() * volume
    arcs["p"] = products.get_indexer(pd.Index(arcs["product"]))
    arcs["c"] = classes.index.get_indexer(pd.Index(arcs["class"]))
    arcs["net"] = arcs["cost"] - arcs["holding"]
    arcs = arcs.sort_values(["p", "c", "net", "route"], kind="stable").reset_index(drop=True)

    width = max(1, int(sets.routes["nodes"].map(len).max())) if len(sets.routes) else 1
    position = {n: i for i, n in enumerate(nodes)}
    route_nodes = {r: [position[n] for n in ns] for r, ns in sets.routes["nodes"].items()}
    arc_nodes = np.full((len(arcs), width), len(nodes), dtype=np.int64)
    for i, route in enumerate(arcs["route"]):
        members = route_nodes[route]
        arc_nodes[i, : len(members)] = members

    n_pc = len(products) * len(classes)
    counts = np.bincount(arcs["p"].to_numpy() * len(classes) + arcs["c"].to_numpy(), minlength=n_pc)
    speeds = instance.speeds.index
    window_rank = (instance.windows["order_hour"].rank(method="dense").astype(int) - 1
                   if instance.windows is not None else None)
    penalty = (instance.products["lost_sale_cost"].to_numpy()[:, None]
               * instance.speeds.loc[classes["speed"], "penalty_factor"].to_numpy()[None, :])
    return Network(
        products=products, nodes=nodes, zones=instance.zones.index, speeds=speeds, classes=classes,
        pairs=pairs,
        arc_pair=arcs["pair"].to_numpy(np.int64), arc_product=arcs["p"].to_numpy(np.int64),
        arc_class=arcs["c"].to_numpy(np.int64), arc_origin=nodes.get_indexer(pd.Index(arcs["origin"])),
        arc_zone=instance.zones.index.get_indexer(pd.Index(arcs["zone"])),
        arc_cost=arcs["cost"].to_numpy(float), arc_holding=arcs["holding"].to_numpy(float),
        arc_nodes=arc_nodes, pc_start=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
        penalty=penalty,
        class_speed=speeds.get_indexer(pd.Index(classes["speed"])),
        class_window=(np.zeros(len(classes), dtype=np.int64) if window_rank is None
                      else window_rank.loc[classes["window"]].to_numpy(np.int64)),
        throughput=np.append(instance.nodes["throughput_capacity"].to_numpy(float), np.inf),
    )


@dataclass(frozen=True, eq=False)
class ScenarioDemand:
    """d[p,c,s] > 0 as coded rows: scenario id, (p, c) id = p*C + c, quantity; and weights w_s."""

    scenarios: pd.Index
    weights: np.ndarray
    scenario: np.ndarray
    pc: np.ndarray
    quantity: np.ndarray

    def subset(self, chosen: np.ndarray) -> tuple[np.ndarray, ScenarioDemand]:
        """Rows of the scenarios ``chosen`` (ids), renumbered 0..len(chosen)-1; and the row ids."""
        local = np.full(len(self.scenarios), -1, dtype=np.int64)
        local[chosen] = np.arange(len(chosen))
        rows = np.flatnonzero(local[self.scenario] >= 0)
        return rows, ScenarioDemand(self.scenarios[chosen], self.weights[chosen], local[self.scenario[rows]],
                                    self.pc[rows], self.quantity[rows])


def scenario_demand(instance: Instance, sets: DerivedSets, network: Network) -> ScenarioDemand:
    """Code the instance's demand (windows already split by share in ``sets.demand``)."""
    demand = sets.demand
    scenarios = instance.scenarios.index
    p = network.products.get_indexer(pd.Index(demand["product"]))
    c = network.classes.index.get_indexer(pd.Index(demand["class"]))
    s = scenarios.get_indexer(pd.Index(demand["scenario"]))
    order = np.lexsort((c, p, s))
    return ScenarioDemand(
        scenarios=scenarios, weights=instance.scenarios["weight"].to_numpy(float),
        scenario=s[order].astype(np.int64),
        pc=(p * len(network.classes) + c)[order].astype(np.int64),
        quantity=demand["quantity"].to_numpy(float)[order],
    )
