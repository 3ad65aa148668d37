"""What a number means and how to print it: price kinds with their units, money, shares, prices.

One place for the wording and precision that the terminal summary and the HTML report share.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

#: Linking kinds in the order they are shown, with what one unit of their right-hand side is.
#: A price is the decrease of the expected cost per one more unit of it.
PRICE_UNITS: dict[str, str] = {
    "storage": "per unit of volume",
    "inbound": "per unit bought",
    "throughput": "per unit shipped",
    "service": "per expected unit served",
    "variant": "per unit of the row's right-hand side",
}

#: Said where a solve has no dual prices (an integer solve, or an LP stopped before its optimum: its prices are NaN).
NO_DUALS = "no duals: the solve is integer or stopped before its optimum"


def unconverged_prices(termination: str | None) -> str | None:
    """What to say of prices that exist although the solve did not prove its plan optimal (a
    decomposition stopped by a limit, or an integer plan above its gap: the Lagrangian prices
    so far), or None when the solve is optimal (``termination`` as in summary.json)."""
    if termination == "optimal":
        return None
    return ("the solve stopped before its gap closed: these are its Lagrangian prices so far, not yet the "
            "optimum's opportunity costs")


def price_kinds(kinds: Iterable[object]) -> list[str]:
    """The kinds present in ``kinds``, in :data:`PRICE_UNITS` order (unknown kinds last)."""
    present = {str(k) for k in kinds}
    return [k for k in PRICE_UNITS if k in present] + sorted(present - set(PRICE_UNITS))


def money(value: float | None) -> str:
    """A cost: whole units from 100 on, else two decimals (``89,526``, ``8.61``); ``-`` when unknown
    or infinite (no plan or no bound yet)."""
    if value is None or not math.isfinite(value):
        return "-"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"


def quantity(value: float | None) -> str:
    """A number of units (demand, stock): whole numbers as such, one decimal from 1 on, two
    significant digits below, with thousands separators (``1,234.5``, ``33.5``, ``60``, ``0.033``)."""
    if value is None or not math.isfinite(value):
        return "-"
    if abs(value - round(value)) <= 1e-9 * max(1.0, abs(value)):
        return f"{round(value):,}"
    if abs(value) >= 1:
        return f"{value:,.1f}"
    return f"{value:,.{1 - math.floor(math.log10(abs(value)))}f}"


def price(value: float | None) -> str:
    """An opportunity cost to three significant digits (``0.982``, ``0.00871``, ``682``)."""
    if value is None or math.isnan(value):
        return "-"
    if value == 0:
        return "0"
    digits = max(0, 2 - math.floor(math.log10(abs(value))))
    return f"{value:,.{digits}f}"


def percent(share: float | None, digits: int = 1) -> str:
    """A share (0.52) as a percentage (``52.0%``); ``-`` when unknown."""
    if share is None or math.isnan(share):
        return "-"
    return f"{100 * share:.{digits}f}%"


def gap(relative: float | None) -> str:
    """A relative optimality gap: ``0%`` when closed, else two significant digits (``0.0086%``)."""
    if relative is None or math.isnan(relative):
        return "-"
    if relative == 0:
        return "0%"
    if math.isinf(relative):
        return "unbounded"
    digits = max(1, 1 - math.floor(math.log10(abs(100 * relative))))
    return f"{100 * relative:.{digits}f}%"


def seconds(value: float | None) -> str:
    """A duration: ``0.42 s``, ``11.0 s``, ``3 min 05 s``."""
    if value is None or math.isnan(value):
        return "-"
    if value < 10:
        return f"{value:.2f} s"
    if value < 60:
        return f"{value:.1f} s"
    minutes, rest = divmod(round(value), 60)
    return f"{minutes} min {rest:02d} s"


def plus_minus(mean: float | None, half: float | None) -> str:
    """``mean ± half`` of a cost (a 95% interval's half-width), both to the mean's precision."""
    if mean is None or math.isnan(mean):
        return "-"
    if half is None or math.isnan(half):
        return money(mean)
    decimals = 0 if abs(mean) >= 100 else 2
    return f"{mean:,.{decimals}f} ± {half:,.{decimals}f}"
