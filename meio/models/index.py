"""Index tables of the model's variables, computed with pandas from the derived sets.

Only variables that can be non-zero are created: x[p,r,c,s] and u[p,c,s] exist where
d[p,c,s] > 0 (the demand constraint forces them to zero elsewhere), and x only for
(r,c) in E with (p, origin(r)) in A, as in docs/formulation.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from meio.data.derived import DerivedSets
from meio.data.instance import Instance


@dataclass(frozen=True, eq=False)
class ModelIndex:
    """Rows of each variable family with the data their coefficients need.

    - ``y``: (product, node, on_hand, unit_cost, holding) with holding = h_p * f_n.
    - ``x``: (product, route, class, scenario, origin, speed, cost, holding, weight), with
      cost = c(r,p) and holding = h_p * f_origin.
    - ``u``: (product, class, scenario, speed, quantity, penalty, weight) with
      penalty = lost_sale_cost_p * penalty_factor_speed.
    - ``x_nodes``: (x row, node) for every node on the x row's route (throughput).
    - ``route_zone``: the zone each route delivers to, indexed by route.
    """

    y: pd.DataFrame
    x: pd.DataFrame
    u: pd.DataFrame
    x_nodes: pd.DataFrame
    route_zone: pd.Series


def model_index(instance: Instance, sets: DerivedSets) -> ModelIndex:
    """Build the variable index tables of the SAA model."""
    products = instance.products
    y = sets.stocking.copy()
    y["unit_cost"] = products.loc[y["product"], "unit_cost"].to_numpy()
    y["holding"] = (products.loc[y["product"], "holding_cost"].to_numpy()
                    * instance.nodes.loc[y["node"], "holding_factor"].to_numpy())

    weight = instance.scenarios["weight"]
    u = sets.demand.merge(sets.classes[["speed"]], left_on="class", right_index=True)
    u["penalty"] = (products.loc[u["product"], "lost_sale_cost"].to_numpy()
                    * instance.speeds.loc[u["speed"], "penalty_factor"].to_numpy())
    u["weight"] = weight.loc[u["scenario"]].to_numpy()
    u = u.reset_index(drop=True)

    routes = sets.routes.reset_index()[["route", "origin", "unit_cost", "volume_cost"]]
    x = (u[["product", "class", "scenario", "speed", "weight"]]
         .merge(sets.eligible, on="class")
         .merge(routes, on="route")
         .merge(y[["product", "node", "holding"]].rename(columns={"node": "origin"}), on=["product", "origin"]))
    x["cost"] = x.pop("unit_cost") + x.pop("volume_cost") * products.loc[x["product"], "unit_volume"].to_numpy()
    x = x[["product", "route", "class", "scenario", "origin", "speed", "cost", "holding", "weight"]]
    x = x.sort_values(["product", "scenario", "class", "route"], kind="stable").reset_index(drop=True)

    route_nodes = sets.routes["nodes"].explode().rename("node")
    x_nodes = pd.DataFrame({"row": np.arange(len(x)), "route": x["route"].to_numpy()}).merge(
        route_nodes.rename_axis("route").reset_index(), on="route")[["row", "node"]]
    return ModelIndex(y=y, x=x, u=u, x_nodes=x_nodes, route_zone=sets.routes["zone"])
