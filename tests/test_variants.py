"""Named model variants (issue #10): the built-in ones and a user's give the same optimum by both
methods on both backends; the parser's errors; summary.json records them; evaluation with a
variant matches the solve's objective on the training scenarios."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyomo.environ as pyo
import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from support.random_instance import write_random_instance

from meio.cli import main
from meio.data import load_instance
from meio.data.instance import Instance
from meio.errors import OptionError
from meio.evaluation import Plan, evaluate_plan, prepare
from meio.models.build import BuiltModel, ModelVariant
from meio.models.variants import BUILTIN, parse_variant
from meio.solve import solve
from meio.solvers import Status

BACKENDS = ["highs", "ortools"]
GAP = 1e-4


def per_node_total(built: BuiltModel) -> None:
    """A user's cross-product variant: at most 30 units in stock per node, over every product."""
    m = built.model
    nodes = sorted({n for _, n in m.A})
    m.per_node_total = pyo.Constraint(nodes, rule=lambda m, n: sum(m.y[p, q] for p, q in m.A if q == n) <= 30)


def _instance(directory: Path, seed: int) -> Instance:
    """A random network with categories and a finite storage capacity at every node."""
    write_random_instance(directory, seed, products=4, nodes=3, zones=3, speeds=2, scenarios=3, capacities=True,
                          weights=True, categories=True, on_hand=seed % 2 == 0)
    nodes = pd.read_csv(directory / "nodes.csv")
    nodes["storage_capacity"] = nodes["storage_capacity"].fillna(1000.0)
    nodes.to_csv(directory / "nodes.csv", index=False)
    return load_instance(directory)


def _variant(kind: str, instance: Instance, share: float) -> ModelVariant:
    stock = solve(instance).stock
    total = float(stock["stock"].sum())
    first, cost = stock.iloc[0], instance.products["unit_cost"]
    category = str(instance.products.at[first["product"], "category"])
    kinds = [str(kind) for kind in instance.nodes.loc[stock["node"].unique(), "kind"] if kind]  # kinds that stock
    kind_option = f",kind={kinds[0]}" if kinds else ""
    texts = {
        "max_stock": f"max_stock:units={share * float(stock['stock'].max())}",
        "budget": f"budget:amount={share * float(stock['buy'].to_numpy() @ cost.loc[stock['product']].to_numpy())}",
        "min_presence": f"min_presence:units={share * 5}{kind_option}",
        "category_storage": f"category_storage:category={category},capacity={share * total}",
        "salvage": f"salvage:fraction={share}",
    }
    return per_node_total if kind == "user" else parse_variant(texts[kind])


KINDS = [*BUILTIN, "user"]


def every_kind(test: Callable[..., None]) -> Callable[..., None]:
    """One fixed example of every built-in variant and the user's, so that each is checked on every run
    (``max_examples`` random cases run besides them)."""
    for number, kind in enumerate(KINDS):
        test = example(seed=101 + number, kind=kind, share=0.5)(test)
    return test


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=3, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), kind=st.sampled_from(KINDS), share=st.floats(0.2, 0.9))
@every_kind
def test_every_variant_gives_the_same_optimum_by_both_methods(tmp_path: Path, backend: str, seed: int, kind: str,
                                                              share: float) -> None:
    instance = _instance(tmp_path / f"i{seed}", seed)
    variant = _variant(kind, instance, share)
    exact = solve(instance, "extensive", backend, variants=[variant])
    result = solve(instance, "decomposition", backend, variants=[variant])
    assert exact.status is result.status
    if exact.status is Status.INFEASIBLE:
        return
    assert exact.status is Status.OPTIMAL
    scale = max(1.0, abs(exact.objective))
    assert result.lower_bound <= exact.objective + 1e-7 * scale
    assert exact.objective <= result.objective + 1e-7 * scale
    assert result.objective - exact.objective <= GAP * abs(result.objective) + 1e-9


@pytest.mark.parametrize(("text", "message"), [
    ("bugdet:amount=1", r"unknown variant 'bugdet' \(did you mean budget\?\)"),
    ("budget:amout=1", r"unknown parameter 'amout' \(did you mean amount\?\)"),
    ("budget:amount=lots", r"parameter 'amount' must be a float, got 'lots'"),
    ("budget", r"missing required parameter 'amount'"),
    ("budget:amount", r"'amount' is not key=value"),
    ("budget:amount=1,amount=2", r"parameter 'amount' given twice"),
    ("salvage:fraction=inf", r"parameter 'fraction' must be finite"),
    ("no/such/file.py:f", r"variant file no/such/file.py does not exist"),
    ("no_such_module_xyz:f", r"variant module 'no_such_module_xyz' cannot be imported"),
    ("meio.solve:nothing_here", r"meio.solve has no attribute 'nothing_here'"),
    ("meio.solve:METHODS", r"METHODS is not a function"),
])
def test_the_parser_names_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(OptionError, match=message):
        parse_variant(text)


def test_a_variant_checks_its_values_against_the_instance(tmp_path: Path) -> None:
    instance = _instance(tmp_path / "i", 1)
    with pytest.raises(OptionError, match=r"no node kind 'warehouse' in the instance"):
        solve(instance, variants=["max_stock:units=1,kind=warehouse"])
    with pytest.raises(OptionError, match=r"fraction must be in \[0, 1\]"):
        solve(instance, variants=["salvage:fraction=2"])


def test_the_cli_records_the_variants_in_summary_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "mine.py"
    file.write_text("import pyomo.environ as pyo\n\n\ndef cap(built):\n"
                    "    m = built.model\n    m.cap = pyo.Constraint(expr=sum(m.y[k] for k in m.A) <= 20)\n")
    out = tmp_path / "r"
    assert main(["solve", "tiny", "--variant", "salvage:fraction=0.25", "--variant", f"{file}:cap",
                 "--out", str(out), "--quiet"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["variants"] == [{"name": "salvage", "parameters": {"fraction": 0.25}},
                                   {"name": f"{file}:cap", "parameters": {}}]
    assert main(["solve", "tiny", "--variant", "salvage:fractoin=1", "--quiet"]) == 2
    assert "did you mean fraction?" in capsys.readouterr().err


@pytest.mark.parametrize("text", ["salvage:fraction=0.6", "category_storage:category=ambient,capacity=30",
                                  "user"])
def test_evaluation_with_a_variant_matches_the_solve_on_the_training_scenarios(tmp_path: Path, text: str) -> None:
    instance = _instance(tmp_path / "i", 7)
    variant = per_node_total if text == "user" else parse_variant(text)
    result = solve(instance, variants=[variant])
    assert result.status is Status.OPTIMAL
    plan = Plan("solved", result.stock[["product", "node", "stock"]])
    outcome = evaluate_plan(prepare(instance), plan, ("optimal",), variants=[variant])["optimal"]
    assert outcome.objective == pytest.approx(result.objective, rel=1e-7)


def test_plans_that_break_a_variant_are_flagged_outside_evaluate(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """baseline and compare name the variant rows a plan breaks; evaluate without --variant says that
    the plan was solved with variants."""
    file = tmp_path / "none.py"
    file.write_text("import pyomo.environ as pyo\n\n\ndef none(built):\n"
                    "    m = built.model\n    m.none = pyo.Constraint(expr=sum(m.y[k] for k in m.A) <= 0)\n")
    variant, out = f"{file}:none", tmp_path / "b"
    assert main(["baseline", "tiny", "--policy", "single-echelon", "--variant", variant, "--out", str(out),
                 "--quiet"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["plan_violations"][0].startswith("none: ")
    assert "breaks 1 row(s) of the model variants: none: " in capsys.readouterr().err
    assert main(["compare", str(out), "tiny", "--baselines", "speed-blind", "--variant", variant,
                 "--scenarios", "5", "--out", str(tmp_path / "c"), "--quiet"]) == 0
    comparison = json.loads((tmp_path / "c" / "comparison.json").read_text())
    assert [rows[0].split(":")[0] for rows in comparison["plan_violations"].values()] == ["none"]
    capsys.readouterr()
    assert main(["evaluate", str(out), "tiny", "--scenarios", "5", "--out", str(tmp_path / "e"), "--quiet"]) == 0
    assert f"solved with model variants ({variant}, summary.json)" in capsys.readouterr().err
