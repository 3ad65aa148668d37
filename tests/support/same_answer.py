"""The check that runs which must not differ (engines, worker counts, chunk sizes) give the same answer."""

from __future__ import annotations

import pandas as pd
import pytest

from meio.results import Result


def assert_same(results: list[Result]) -> None:
    """Objective, bound and iterations bit for bit, stock and prices equal, costs to round-off."""
    first = results[0]
    for other in results[1:]:
        assert other.objective == first.objective
        assert other.lower_bound == first.lower_bound
        assert other.details["iterations"] == first.details["iterations"]
        pd.testing.assert_frame_equal(other.stock, first.stock)
        pd.testing.assert_frame_equal(other.prices, first.prices)
        for part, cost in first.costs.items():  # summed per worker or chunk: equal to round-off
            assert other.costs[part] == pytest.approx(cost, rel=1e-12, abs=1e-9)
