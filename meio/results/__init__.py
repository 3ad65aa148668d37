"""Results: the typed Result, the figures computed from a plan, and the result files.

The package's names are imported on first use, so that ``meio.results.units`` (the number
formats, which the instance loader's warnings use too) imports neither Pyomo nor the solvers:
``meio validate`` stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from meio.results.result import COST_PARTS, Result
    from meio.results.writer import write_result

__all__ = ["COST_PARTS", "Result", "write_result"]


def __getattr__(name: str) -> Any:
    if name in ("COST_PARTS", "Result"):
        from meio.results import result

        return getattr(result, name)
    if name == "write_result":
        from meio.results.writer import write_result

        return write_result
    raise AttributeError(f"module 'meio.results' has no attribute {name!r}")
