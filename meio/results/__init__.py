"""Results: the typed Result, the figures computed from a plan, and the result files."""

from meio.results.result import COST_PARTS, Result
from meio.results.writer import write_result

__all__ = ["COST_PARTS", "Result", "write_result"]
