"""What a real-time policy may know of demand before a period starts: the training scenarios' mean.

The forecast (P*C,) is the weighted mean demand per (p, c) of the training scenarios (those
the plan was made from), never the scenarios being evaluated.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from meio.data.derived import DerivedSets, class_demand
from meio.data.instance import Instance
from meio.evaluation.network import Network


def training_forecast(training: Instance, sets: DerivedSets, network: Network) -> np.ndarray:
    """Mean demand per (p, c) of the scenarios of ``training`` (classes and products of ``network``)."""
    rows = class_demand(training, sets.classes)
    weights = training.scenarios["weight"]
    pc = (network.products.get_indexer(pd.Index(rows["product"])) * len(network.classes)
          + network.classes.index.get_indexer(pd.Index(rows["class"])))
    mean = rows["quantity"].to_numpy(float) * weights.loc[rows["scenario"]].to_numpy(float) / weights.sum()
    return np.bincount(pc, mean, minlength=len(network.products) * len(network.classes))
