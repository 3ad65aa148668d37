"""The printed solve summary: prices grouped by kind with their units, none where no dual exists."""

from __future__ import annotations

import math

from meio.data import load_instance
from meio.results.text import format_result
from meio.results.units import NO_DUALS, gap, money, price, quantity
from meio.solve import solve


def test_prices_are_grouped_by_kind_with_units_and_absent_without_duals() -> None:
    result = solve(load_instance("tiny"), method="extensive", backend="highs")
    text = format_result(result)
    assert "storage, per unit of volume:" in text and "FC1      1.00" in text
    result.prices = result.prices.assign(price=math.nan)  # as an integer solve reports them
    text = format_result(result)
    assert NO_DUALS in text and "1.00" not in text.split(NO_DUALS)[1]


def test_prices_of_a_decomposition_stopped_before_its_gap_closed_are_said_to_be_so() -> None:
    from meio.decomposition import DecompositionConfig

    caveat = "these are its Lagrangian prices so far"
    stopped = solve(load_instance("demo"), method="decomposition", config=DecompositionConfig(max_iterations=1,
                                                                                               progress=False))
    assert stopped.termination.value == "iteration_limit" and caveat in format_result(stopped)
    finished = solve(load_instance("demo"), method="decomposition", config=DecompositionConfig(progress=False))
    assert finished.termination.value == "optimal" and caveat not in format_result(finished)
    from meio.evaluation.report import _capacity_section

    assert caveat in _capacity_section(stopped.prices, None, "iteration_limit")
    assert caveat not in _capacity_section(stopped.prices, None, "optimal")


def test_numbers_have_sensible_precision() -> None:
    assert (money(89525.9946560661), money(8.605718), money(math.nan)) == ("89,526", "8.61", "-")
    assert (price(0.98231), price(0.0086712), price(682.6572), price(0.0)) == ("0.982", "0.00867", "683", "0")
    assert (gap(8.629409154280355e-05), gap(0.0), gap(0.0123)) == ("0.0086%", "0%", "1.2%")
    assert ((quantity(33.5333), quantity(275.433), quantity(12345.67), quantity(6.0000000001), quantity(0.0333))
            == ("33.5", "275.4", "12,345.7", "6", "0.033"))


def test_a_binding_row_with_a_zero_price_is_not_listed_as_an_opportunity_cost() -> None:
    result = solve(load_instance("reference/fill_rate_targets_all"), method="extensive", backend="highs")
    text = format_result(result)
    costs, zero = text.split("binding at a zero price")
    assert "sd_new_york         0" not in costs and "binding in 1 scenario(s)" not in costs
    assert zero.startswith(" (one more unit would not lower the cost): throughput at sd_new_york (1 scenario)")
    assert "730" in costs and "11.0  binding in 3 scenario(s)" in costs


def test_the_report_lists_zero_prices_as_the_summary_does() -> None:
    from meio.evaluation.report import _capacity_section

    result = solve(load_instance("reference/fill_rate_targets_all"), method="extensive", backend="highs")
    section = _capacity_section(result.prices, None, result.termination.value)
    tables, zero = section.split("Binding at a zero price")
    assert "sd_new_york</td><td>1</td>" not in tables.split("<th>throughput</th>")[1]
    assert "throughput at sd_new_york (1 scenario)" in zero
