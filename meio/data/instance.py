"""The typed, validated instance: the tables of docs/data-format.md, defaults applied, weights normalised."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import cast

import networkx as nx
import pandas as pd


@dataclass(frozen=True, eq=False)
class Instance:
    """A validated instance.

    Tables are indexed by their identifier (``products`` by product, ``nodes`` by node,
    ...). ``demand`` has columns product, zone, speed, scenario, window (``None`` when
    blank) and quantity; ``inventory`` has product, node, on_hand; ``scenarios`` holds the
    normalised ``weight`` per scenario; ``windows`` (or ``None``) the normalised ``share``.
    ``nodes.categories`` is a frozenset of accepted categories or ``None`` for all.
    ``rows_dropped``: the demand and inventory rows were validated, then dropped
    (:meth:`without_rows`); such an instance describes the network and the products only.
    """

    name: str
    description: str
    products: pd.DataFrame
    nodes: pd.DataFrame
    zones: pd.DataFrame
    speeds: pd.DataFrame
    lanes: pd.DataFrame
    demand: pd.DataFrame
    inventory: pd.DataFrame
    scenarios: pd.DataFrame
    windows: pd.DataFrame | None
    max_route_lanes: int = 2
    integer_stock: bool = False
    source: Path | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    rows_dropped: bool = False

    @cached_property
    def graph(self) -> nx.DiGraph:
        """Nodes and zones as graph vertices (attribute ``role``), lanes as edges with their data."""
        graph = nx.DiGraph()
        graph.add_nodes_from(self.nodes.index, role="node")
        graph.add_nodes_from(self.zones.index, role="zone")
        for lane in self.lanes.itertuples(index=False):
            graph.add_edge(lane.origin, lane.destination, transit_hours=lane.transit_hours,
                           unit_cost=lane.unit_cost, volume_cost=lane.volume_cost)
        return graph

    def on_hand(self) -> pd.Series:
        """On-hand units indexed by (product, node); absent pairs have none."""
        return self.inventory.set_index(["product", "node"])["on_hand"]

    def accepts(self, node: str, category: str) -> bool:
        """Whether ``node`` may stock products of ``category``."""
        accepted = cast(frozenset[str] | None, self.nodes.at[node, "categories"])
        return accepted is None or category in accepted

    def in_chunks(self, size: int) -> Iterator[Instance]:
        """The instance split into consecutive groups of at most ``size`` products (in product
        order), each with only its products' demand and inventory; one pass over the big tables."""
        demand = pd.Categorical(self.demand["product"], categories=self.products.index).codes
        inventory = pd.Categorical(self.inventory["product"], categories=self.products.index).codes
        for start in range(0, len(self.products), size):
            stop = start + size
            yield replace(self, products=self.products.iloc[start:stop],
                          demand=self.demand[(demand >= start) & (demand < stop)],
                          inventory=self.inventory[(inventory >= start) & (inventory < stop)])

    def restricted_to(self, products: list[str]) -> Instance:
        """The same network with only ``products`` (used to build per-product subproblems)."""
        keep = set(products)
        return replace(self, products=self.products.loc[list(products)],
                       demand=self.demand[self.demand["product"].isin(keep)],
                       inventory=self.inventory[self.inventory["product"].isin(keep)])

    def without_rows(self) -> Instance:
        """This instance without its demand and inventory rows: what the decomposition's coordinator
        keeps when its workers load their products' rows themselves (from ``source``); the rows
        were validated when the instance was loaded."""
        # copies: an empty slice would be a view keeping the rows alive
        return replace(self, demand=self.demand.iloc[:0].copy(), inventory=self.inventory.iloc[:0].copy(),
                       rows_dropped=True)
