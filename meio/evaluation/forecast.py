"""What a real-time policy may know of demand before a period starts: the training scenarios.

The forecast (P*C,) is the weighted mean demand per (p, c) of the training scenarios (those
the plan was made from), never the scenarios being evaluated; the *futures* (T, P*C) are the
training scenarios' demand themselves with their weights (T,), the demand futures the
dual-price policy samples (:mod:`meio.evaluation.dual_price`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from meio.data.derived import DerivedSets, class_demand
from meio.data.instance import Instance
from meio.evaluation.network import Network


def training_futures(training: Instance, sets: DerivedSets, network: Network) -> tuple[np.ndarray, np.ndarray]:
    """Demand per (training scenario, (p, c)) of ``training`` (classes and products of ``network``), and the
    scenarios' weights, normalised to sum 1."""
    rows = class_demand(training, sets.classes)
    weights = training.scenarios["weight"]
    pc = (network.products.get_indexer(pd.Index(rows["product"])) * len(network.classes)
          + network.classes.index.get_indexer(pd.Index(rows["class"])))
    scenario = weights.index.get_indexer(pd.Index(rows["scenario"]))
    futures = np.zeros((len(weights), len(network.products) * len(network.classes)))
    np.add.at(futures, (scenario, pc), rows["quantity"].to_numpy(float))
    w = weights.to_numpy(float)
    return futures, w / w.sum()


def training_forecast(training: Instance, sets: DerivedSets, network: Network) -> np.ndarray:
    """Mean demand per (p, c) of the scenarios of ``training`` (classes and products of ``network``)."""
    futures, weights = training_futures(training, sets, network)
    return weights @ futures
