"""Infeasible instances: proven by both methods on both backends, and described the same way.

The least total scaled violation T* is unique, but how it splits among the rows is not: on
these generated networks the backends' own optima differ (a shortfall moves between the
throughput rows and the service targets). The describer's split, fixed by a rule, is unique, so
all four runs must print one message.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import highspy
import numpy as np
import pyomo.environ as pyo
import pytest

from meio.data import load_instance
from meio.data.generator import GeneratorConfig, write_instance
from meio.decomposition import solve_decomposition
from meio.diagnose import canonical_split, elastic_model, tie_weights
from meio.exact import solve_extensive
from meio.models.build import BuiltModel
from meio.models.linking import LinkingKind, LinkingSpec
from meio.solvers import SolveOptions, Status, Termination, get_backend

BACKENDS = ["highs", "ortools"]

#: ``meio generate inf3 --products 12 --nodes 6 --zones 12 --scenarios 8 --seed 5 --on-hand
#: --tightness 0.1 --fill-rate-target 0.9 --windows``: tight capacities against high targets.
TIGHT = GeneratorConfig(products=12, nodes=6, zones=12, scenarios=8, seed=5, on_hand=True, tightness=0.1,
                        fill_rate_target=0.9, windows=True, name="inf3")
#: ``meio generate ri26 --products 7 --nodes 6 --zones 12 --scenarios 10 --seed 26 --fill-rate-target 0.6
#: --tightness 0.2 --nonsort-sites``: phase one's column generation needed 821 iterations to close on
#: the least violation (the default limit is 200); its Lagrangian is positive from the 9th.
SLOW_PROOF = GeneratorConfig(products=7, nodes=6, zones=12, scenarios=10, seed=26, fill_rate_target=0.6,
                             tightness=0.2, nonsort_sites=True, name="ri26")


#: ``meio generate g22 --products 14 --nodes 5 --zones 13 --scenarios 7 --seed 2887 --tightness 0.098
#: --fill-rate-target 0.554 --on-hand``: GLOP's and HiGHS's least totals differ in the 9th digit, and a
#: split computed from each backend's own total named different shortfalls (158.879 against 158.912).
NEAR_TIE = GeneratorConfig(products=14, nodes=5, zones=13, scenarios=7, seed=2887, tightness=0.098,
                           fill_rate_target=0.554, on_hand=True, name="g22")


@pytest.mark.parametrize("config", [TIGHT, SLOW_PROOF, NEAR_TIE], ids=["tight", "slow-proof", "near-tie"])
def test_both_methods_and_backends_name_the_same_rows_with_the_same_shortfalls(tmp_path: Path,
                                                                               config: GeneratorConfig) -> None:
    instance = load_instance(write_instance(tmp_path / config.name, config))
    messages = {}
    for backend in BACKENDS:
        for method, result in (("extensive", solve_extensive(instance, backend)),
                               ("decomposition", solve_decomposition(instance, backend))):
            assert result.status is Status.INFEASIBLE and result.lower_bound == math.inf, (method, backend)
            messages[method, backend] = result.message
    assert len(set(messages.values())) == 1, messages
    assert "cannot all be met (least total violation" in messages["extensive", "highs"]


def test_the_decomposition_proves_infeasibility_as_soon_as_its_phase_one_bound_is_positive(tmp_path: Path) -> None:
    instance = load_instance(write_instance(tmp_path / "ri26", SLOW_PROOF))
    for backend in BACKENDS:
        result = solve_decomposition(instance, backend)
        assert result.status is Status.INFEASIBLE
        assert result.details["iterations"] < 50, result.details["iterations"]
        assert result.details["phase_one_bound"] > 0.0


def test_the_split_totals_the_least_violation_and_puts_no_more_on_a_kind_than_it_must(tmp_path: Path) -> None:
    instance = load_instance(write_instance(tmp_path / "inf3", TIGHT))
    elastic = elastic_model(instance)
    found = canonical_split(elastic, SolveOptions())
    assert found.status == highspy.HighsModelStatus.kOptimal and found.violation is not None
    split = found.violation
    assert get_backend("ortools").solve(elastic.built, SolveOptions()).objective > 0.0  # GLOP's T*, on its own
    least_total = float(elastic.violation() @ (1.0 / elastic.scale))
    assert split @ (1.0 / elastic.scale) == pytest.approx(least_total, rel=1e-6)
    # the first kind with a positive share is at its least among the least-violation plans that meet
    # the kinds before it: bound its total lower and the elastic model, its total capped at T*, has no plan
    kinds = [row.kind for row in elastic.rows]
    first = kinds[int((split > 1e-6 * elastic.scale).argmax())]
    assert kinds.index(first) > 0
    model = elastic.built.model
    group = [i for i, kind in enumerate(kinds) if kind is first]
    for i in range(kinds.index(first)):
        model.violation[i].fix(0.0)
    model.group = pyo.Constraint(expr=sum(model.violation[i] / elastic.scale[i] for i in group)
                                 <= 0.99 * float(split[group] @ (1.0 / elastic.scale[group])))
    model.cap = pyo.Constraint(expr=model.total_violation.expr <= least_total * (1 + 1e-9))
    model.total_violation.deactivate()
    model.first = pyo.Objective(expr=model.violation[group[0]])
    assert get_backend("highs").solve(elastic.built, SolveOptions()).termination is Termination.INFEASIBLE


def test_the_split_within_a_kind_is_fixed_by_the_rows_labels() -> None:
    rows = [LinkingSpec(LinkingKind.THROUGHPUT, "FC1", None, f"s{k}", 10.0) for k in range(1, 4)]
    weights = tie_weights(rows)
    assert np.all((1.0 <= weights) & (weights < 2.0)) and len(set(weights)) == 3
    assert np.array_equal(weights, tie_weights(rows)) and tie_weights(rows[::-1])[0] == weights[-1]


def test_above_the_describer_s_size_the_decomposition_names_the_rows_its_proof_prices(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("meio.decomposition.algorithm.DESCRIBE_NONZEROS", 0)
    result = solve_decomposition(load_instance(write_instance(tmp_path / "ri26", SLOW_PROOF)))
    assert result.status is Status.INFEASIBLE
    assert "proven by the decomposition's phase one" in result.message
    listed = re.search(r"its proof prices (\d+) rows: (.*) and (\d+) more\.", result.message)
    assert listed is not None, result.message
    assert len(re.findall(r"\w+\[[^]]*\]", listed[2])) == 20 and int(listed[1]) == 20 + int(listed[3])
    assert "--method extensive" in result.message


def test_a_variant_row_no_relaxation_meets_is_said_to_be_the_cause() -> None:
    def contradiction(built: BuiltModel) -> None:  # one product's own rows, never relaxed
        product, node = built.index.y[["product", "node"]].iloc[0]
        built.model.at_least = pyo.Constraint(expr=built.model.y[product, node] >= 10)
        built.model.at_most = pyo.Constraint(expr=built.model.y[product, node] <= 5)

    result = solve_extensive(load_instance("tiny"), "ortools", variants=[contradiction])
    assert result.status is Status.INFEASIBLE
    assert result.message.startswith("the instance is infeasible even with every linking constraint relaxed")
