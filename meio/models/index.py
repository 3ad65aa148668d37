"""Index tables of the model's variables, computed with pandas from the derived sets.

Only variables that can be non-zero are created: x[p,r,c,s] and u[p,c,s] exist where
d[p,c,s] > 0 (the demand constraint forces them to zero elsewhere), and x only for
(r,c) in E with (p, origin(r)) in A, as in docs/formulation.md.

The tables are joined and ordered on integer codes (:mod:`meio.data.codes`), not on the
names: x, the largest table, is generated directly in the order of its sorted names.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from meio.data.codes import positions, ranges, string_rank
from meio.data.derived import DerivedSets
from meio.data.instance import Instance


@dataclass(frozen=True, eq=False)
class IndexCodes:
    """The keys of the index tables' rows as integer codes, for builders that join on them.

    ``*_product``, ``*_node`` / ``x_origin``, ``*_scenario`` and ``u_speed`` are positions in
    ``instance.products``, ``instance.nodes``, ``instance.scenarios`` and ``instance.speeds``;
    ``x_demand`` is the row of ``u`` each x row serves, ``x_zone`` the zone (position in
    ``instance.zones``) its route delivers to, and ``x_nodes_node`` the node of each ``x_nodes`` row.
    """

    y_product: np.ndarray
    y_node: np.ndarray
    x_product: np.ndarray
    x_origin: np.ndarray
    x_scenario: np.ndarray
    x_demand: np.ndarray
    x_zone: np.ndarray
    u_product: np.ndarray
    u_speed: np.ndarray
    x_nodes_node: np.ndarray


@dataclass(frozen=True, eq=False)
class ModelIndex:
    """Rows of each variable family with the data their coefficients need.

    - ``y``: (product, node, on_hand, unit_cost, holding) with holding = h_p * f_n.
    - ``x``: (product, route, class, scenario, origin, speed, cost, holding, weight), with
      cost = c(r,p) and holding = h_p * f_origin, sorted by (product, scenario, class, route).
    - ``u``: (product, class, scenario, speed, quantity, penalty, weight) with
      penalty = lost_sale_cost_p * penalty_factor_speed.
    - ``x_nodes``: (x row, node) for every node on the x row's route (throughput).
    - ``codes``: the rows' keys as integer codes.
    """

    y: pd.DataFrame
    x: pd.DataFrame
    u: pd.DataFrame
    x_nodes: pd.DataFrame
    codes: IndexCodes


@dataclass(frozen=True, eq=False)
class _Shipments:
    """The x rows as codes: the u row served, the route (position in ``sets.routes``), its origin
    (position in ``instance.nodes``) and the y row of (product, origin)."""

    demand: np.ndarray
    route: np.ndarray
    origin: np.ndarray
    stock: np.ndarray


def model_index(instance: Instance, sets: DerivedSets) -> ModelIndex:
    """Build the variable index tables of the SAA model."""
    products, nodes = instance.products, instance.nodes
    y = sets.stocking.copy()
    y_product, y_node = positions(y["product"], products.index), positions(y["node"], nodes.index)
    y["unit_cost"] = products["unit_cost"].to_numpy()[y_product]
    y["holding"] = products["holding_cost"].to_numpy()[y_product] * nodes["holding_factor"].to_numpy()[y_node]

    u, u_class = _demand_rows(sets)
    u_product = positions(u["product"], products.index)
    u_scenario = positions(u["scenario"], instance.scenarios.index)
    u_speed = positions(sets.classes["speed"], instance.speeds.index)[u_class]
    penalty_factor = instance.speeds["penalty_factor"].to_numpy()
    u["penalty"] = products["lost_sale_cost"].to_numpy()[u_product] * penalty_factor[u_speed]
    u["weight"] = instance.scenarios["weight"].to_numpy()[u_scenario]

    stock = np.full((len(products), len(nodes)), -1, dtype=np.int64)
    stock[y_product, y_node] = np.arange(len(y))
    order = np.lexsort((string_rank(sets.classes.index)[u_class], string_rank(instance.scenarios.index)[u_scenario],
                        string_rank(products.index)[u_product]))
    ship = _shipments(instance, sets, order, u_class, u_product, stock)
    x = _shipment_table(instance, sets, y, u, ship, u_product[ship.demand])
    x_nodes, x_nodes_node = _route_nodes(nodes.index, sets.routes["nodes"], ship.route)
    codes = IndexCodes(y_product=y_product, y_node=y_node, x_product=u_product[ship.demand], x_origin=ship.origin,
                       x_scenario=u_scenario[ship.demand], x_demand=ship.demand,
                       x_zone=positions(sets.routes["zone"], instance.zones.index)[ship.route], u_product=u_product,
                       u_speed=u_speed, x_nodes_node=x_nodes_node)
    return ModelIndex(y=y, x=x, u=u, x_nodes=x_nodes, codes=codes)


def _demand_rows(sets: DerivedSets) -> tuple[pd.DataFrame, np.ndarray]:
    """The demand rows of a known class with its speed (the rows of u so far), and their class positions."""
    u_class = positions(sets.demand["class"], sets.classes.index, missing=True)
    known = np.flatnonzero(u_class >= 0)
    u = sets.demand.iloc[known].reset_index(drop=True)
    u["speed"] = sets.classes["speed"].array.take(u_class[known])
    return u, u_class[known]


def _shipment_table(instance: Instance, sets: DerivedSets, y: pd.DataFrame, u: pd.DataFrame, ship: _Shipments,
                    product: np.ndarray) -> pd.DataFrame:
    """The x table of ``ship`` (``product``: its rows' product positions), its columns taken by code."""
    routes = sets.routes

    def served(column: str) -> object:
        return u[column].array.take(ship.demand)

    return pd.DataFrame({
        "product": served("product"), "route": routes.index.array.take(ship.route), "class": served("class"),
        "scenario": served("scenario"), "origin": routes["origin"].array.take(ship.route), "speed": served("speed"),
        "cost": (routes["unit_cost"].to_numpy()[ship.route] + routes["volume_cost"].to_numpy()[ship.route]
                 * instance.products["unit_volume"].to_numpy()[product]),
        "holding": y["holding"].to_numpy()[ship.stock], "weight": u["weight"].to_numpy()[ship.demand],
    }, copy=False)  # the columns are new arrays; without copies or consolidation


def _route_nodes(nodes: pd.Index, paths: pd.Series, route: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """The x_nodes table of x rows on ``route`` (positions in ``paths``, the routes' node tuples),
    and the position in ``nodes`` of each of its rows' node."""
    count = np.array([len(path) for path in paths], dtype=np.int64)
    path_nodes = positions([node for path in paths for node in path], nodes)
    on_route = count[route]
    node = path_nodes[ranges((np.cumsum(count) - count)[route], on_route)]
    table = pd.DataFrame({"row": np.repeat(np.arange(len(route)), on_route), "node": nodes.array.take(node)},
                         copy=False)
    return table, node


def _shipments(instance: Instance, sets: DerivedSets, order: np.ndarray, u_class: np.ndarray,
               u_product: np.ndarray, stock: np.ndarray) -> _Shipments:
    """Every u row (in ``order``) times the eligible routes of its class (in name order) whose origin
    stocks the product (``stock``: the y row of each (product, node), -1 for none)."""
    routes, classes = sets.routes, sets.classes
    route = positions(sets.eligible["route"], routes.index)
    klass = positions(sets.eligible["class"], classes.index)
    by_class = np.lexsort((string_rank(routes.index)[route], klass))
    per_class = np.bincount(klass, minlength=len(classes))
    count = per_class[u_class[order]]
    demand = np.repeat(order, count)
    route = route[by_class][ranges((np.cumsum(per_class) - per_class)[u_class[order]], count)]
    origin = positions(routes["origin"], instance.nodes.index)[route]
    y_row = stock[u_product[demand], origin]
    kept = y_row >= 0
    return _Shipments(demand=demand[kept], route=route[kept], origin=origin[kept], stock=y_row[kept])
