"""The printed solve summary: prices grouped by kind with their units, none where no dual exists."""

from __future__ import annotations

import math

from meio.data import load_instance
from meio.results.text import format_result
from meio.results.units import NO_DUALS, gap, money, price
from meio.solve import solve


def test_prices_are_grouped_by_kind_with_units_and_absent_without_duals() -> None:
    result = solve(load_instance("tiny"), method="extensive", backend="highs")
    text = format_result(result)
    assert "storage, per unit of volume:" in text and "FC1      1.00" in text
    result.prices = result.prices.assign(price=math.nan)  # as an integer solve reports them
    text = format_result(result)
    assert NO_DUALS in text and "1.00" not in text.split(NO_DUALS)[1]


def test_numbers_have_sensible_precision() -> None:
    assert (money(89525.9946560661), money(8.605718), money(math.nan)) == ("89,526", "8.61", "-")
    assert (price(0.98231), price(0.0086712), price(682.6572), price(0.0)) == ("0.982", "0.00867", "683", "0")
    assert (gap(8.629409154280355e-05), gap(0.0), gap(0.0123)) == ("0.0086%", "0%", "1.2%")
