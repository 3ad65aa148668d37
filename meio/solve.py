"""One entry point for every solution method: ``solve(instance, method=..., backend=...)``."""

from __future__ import annotations

from collections.abc import Callable

from meio.data.instance import Instance
from meio.decomposition import solve_decomposition
from meio.errors import MeioError
from meio.exact import solve_extensive
from meio.results.result import Result
from meio.solvers import SolveOptions

#: Solution methods by name; each takes (instance, backend, options) and returns a Result.
METHODS: dict[str, Callable[[Instance, str, SolveOptions], Result]] = {
    "extensive": solve_extensive,
    "decomposition": solve_decomposition,
}


def solve(instance: Instance, method: str = "extensive", backend: str = "highs",
          options: SolveOptions | None = None) -> Result:
    """Solve an instance with the named method and backend."""
    try:
        run = METHODS[method]
    except KeyError:
        raise MeioError(f"unknown method '{method}' (choose from {', '.join(METHODS)})") from None
    return run(instance, backend, options or SolveOptions())
