"""How the suite runs on two pytest-xdist workers (``-n 2 --dist loadgroup`` in pyproject.toml).

- **Longest first.** xdist hands the tests out in collection order, a few at a time to whichever
  worker is free, so the longest ones are collected first: started last, one of them would end the
  run alone on one worker while the other sits idle.
- **One worker per module fixture.** A module whose tests share an expensive module fixture, or
  build on what each other wrote into it, runs on one worker, its fixture built once. xdist's own
  ``xdist_group`` mark does not group under pytest 9.2 (its nodeid suffix no longer takes,
  pytest-xdist issue 1386), so these modules are named here; a group mark still works where
  xdist honours it.
- **Hypothesis without timing checks.** A test's deadline and the too-slow health check measure
  the machine, not the property: on two loaded cores a fast example can take a second.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("meio", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("meio")

#: Test files and tests that take 20 s or more (serial, quiet machine), longest first. A test named
#: here starts before the rest of its file; otherwise the files keep their order.
LONGEST_FIRST = [
    "test_readme.py::test_every_readme_command_exits_0[solve demo | compare",
    "test_report_browser.py",
    "test_engines.py",
    "test_examples.py::test_the_example_runs_and_checks_itself[subgradient_method.py]",
    "test_readme.py::test_every_readme_command_exits_0[benchmark",
    "test_readme.py::test_every_readme_command_exits_0[solve demo --backend ortools",
    "test_decomposition.py::test_objective_within_gap_and_bound_below_optimum",
    "test_anytime.py::test_an_iteration_limit_writes_a_feasible_plan_and_a_valid_bound",
    "test_readme.py",
]

#: Modules whose tests run on one worker, in file order: the demo solved and compared once for the
#: report (~40 s); one forkserver and one local Ray for the engines; the evaluation CLI's tests,
#: which read what the earlier ones wrote into the module's result directory (evaluate, compare).
ONE_WORKER = {"test_report_browser.py", "test_engines.py", "test_evaluation_cli.py"}


def _rank(item: pytest.Item) -> int:
    nodeid = item.nodeid.split("/")[-1]
    return next((i for i, prefix in enumerate(LONGEST_FIRST) if nodeid.startswith(prefix)), len(LONGEST_FIRST))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    items.sort(key=_rank)  # stable, and the same order on every worker, as xdist requires


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``--dist loadgroup`` with the modules of :data:`ONE_WORKER` as groups."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling  # type: ignore[import-untyped]

    class Scheduling(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return module if module.rsplit("/", 1)[-1] in ONE_WORKER else super()._split_scope(nodeid)

    return Scheduling(config, log)
