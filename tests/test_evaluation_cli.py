"""evaluate, baseline, compare, gap and report from the command line: files, text, clear errors."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest

from meio.cli import main
from meio.data.generator import generate_instance
from meio.evaluation.progress import Progress


def errors(stderr: str) -> list[str]:
    """The lines of stderr that are not the instance's warnings."""
    return [line for line in stderr.splitlines() if not line.startswith("warning: ")]


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("cli")
    instance = generate_instance(root / "inst", products=5, nodes=5, zones=5, scenarios=8, seed=3, tightness=0.9,
                                 name="small")
    assert main(["solve", str(instance), "--out", str(root / "meio"), "--quiet"]) == 0
    return instance, root / "meio"


def test_evaluate_writes_estimates_and_tables(solved: tuple[Path, Path], capsys: pytest.CaptureFixture) -> None:
    instance, result = solved
    assert main(["evaluate", str(result), str(instance), "--scenarios", "40", "--seed", "2", "--policy", "all"]) == 0
    out = capsys.readouterr()
    assert "total cost" in out.out and "optimal" in out.out and "myopic" in out.out and "dual-price" in out.out
    assert "not evaluated" not in out.out
    assert errors(out.err) == []
    record = json.loads((result / "evaluation.json").read_text())
    assert record["source"] == "generator" and record["scenarios"] == 40
    total = record["policies"]["optimal"]["total"]
    assert total["low"] < total["mean"] < total["high"]
    assert record["policies"]["myopic"]["total"]["mean"] >= total["mean"] - 1e-6
    nodes = pd.read_csv(result / "evaluation_nodes.csv")
    assert set(nodes["policy"]) == {"optimal", "myopic", "dual-price"} and "binding_share" in nodes.columns
    assert len(pd.read_csv(result / "evaluation_scenarios.csv")) == 120


def test_training_evaluation_from_the_cli_matches_the_summary(solved: tuple[Path, Path], tmp_path: Path) -> None:
    instance, result = solved
    assert main(["evaluate", str(result), str(instance), "--source", "training", "--policy", "optimal",
                 "--out", str(tmp_path), "--quiet"]) == 0
    record = json.loads((tmp_path / "evaluation.json").read_text())
    summary = json.loads((result / "summary.json").read_text())
    assert record["policies"]["optimal"]["total"]["mean"] == pytest.approx(summary["objective"], rel=1e-6)


def test_baseline_compare_gap_and_report(solved: tuple[Path, Path], tmp_path: Path,
                                         capsys: pytest.CaptureFixture) -> None:
    instance, result = solved
    baseline = tmp_path / "single"
    assert main(["baseline", str(instance), "--policy", "single-echelon", "--out", str(baseline), "--quiet"]) == 0
    summary = json.loads((baseline / "summary.json").read_text())
    assert summary["method"] == "baseline-single-echelon" and summary["status"] == "feasible"
    assert main(["compare", str(instance), str(result), str(baseline), "--baselines", "no-capacity",
                 "--scenarios", "30", "--out", str(tmp_path / "cmp")]) == 0
    text = capsys.readouterr().out
    assert "meio saves" in text and "against single-echelon" in text and "against no-capacity" in text
    record = json.loads((tmp_path / "cmp" / "comparison.json").read_text())
    assert record["plans"] == ["meio", "single-echelon", "no-capacity"]
    assert main(["gap", str(instance), "--replications", "3", "--scenarios", "4", "--eval-scenarios", "30",
                 "--candidate", str(result), "--out", str(tmp_path / "gap"), "--quiet"]) == 0
    gap = json.loads((tmp_path / "gap" / "gap.json").read_text())
    assert gap["lower_bound"]["mean"] is not None and gap["gap"]["mean"] >= -1e-6
    for name in ("comparison.json", "comparison.csv"):
        (result / name).write_bytes((tmp_path / "cmp" / name).read_bytes())
    (result / "gap.json").write_bytes((tmp_path / "gap" / "gap.json").read_bytes())
    pd.DataFrame({"iteration": [1, 2, 3], "lower_bound": [1.0, 2.0, 2.5],
                  "upper_bound": [4.0, 3.0, 2.6]}).to_csv(result / "convergence.csv", index=False)
    report = tmp_path / "report.html"
    assert main(["report", str(result), "--out", str(report), "--instance", str(instance)]) == 0
    html = report.read_text()
    assert html.count("data:image/png;base64,") >= 7  # costs, plans, fill, stock, capacity, convergence, map
    for heading in ("What multi-echelon planning saves", "Which capacities hold it back", "Out-of-sample evaluation",
                    "Decomposition convergence", "SAA optimality gap", "Map of nodes"):
        assert heading in html
    saving = record["savings_of_reference"]["optimal"]["single-echelon"]["total"]["mean"]
    assert f"{saving:,.0f}" in html  # the report says by how much


def test_dual_price_is_evaluated_only_when_named_and_what_is_left_out_is_said(
        solved: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    instance, result = solved
    assert main(["evaluate", str(result), str(instance), "--scenarios", "5", "--out", str(tmp_path / "e")]) == 0
    text = capsys.readouterr().out
    assert "not evaluated: dual-price (name it in --policy, or --policy all;" in text
    assert list(json.loads((tmp_path / "e" / "evaluation.json").read_text())["policies"]) == ["optimal", "myopic"]
    assert main(["compare", str(instance), str(result), "--baselines", "single-echelon", "--scenarios", "5",
                 "--policy", "dual-price, optimal,dual-price", "--resolve-every", "50",
                 "--out", str(tmp_path / "c")]) == 0
    text = capsys.readouterr().out
    assert "dual-price fulfillment" in text and "not evaluated: myopic (name it in --policy, or --policy all)" in text
    record = json.loads((tmp_path / "c" / "comparison.json").read_text())
    assert record["policies"] == ["optimal", "dual-price"] and record["resolve_every"] == 50  # in POLICIES' order
    assert list(record["results"]["meio"]) == ["optimal", "dual-price"]
    assert main(["compare", str(instance), str(result), "--baselines", "single-echelon", "--scenarios", "5",
                 "--policy", "all", "--out", str(tmp_path / "all"), "--quiet"]) == 0
    record = json.loads((tmp_path / "all" / "comparison.json").read_text())
    assert record["policies"] == ["optimal", "myopic", "dual-price"] and record["resolve_every"] == 25


@pytest.mark.parametrize(("policy", "expected"), [
    ("optimal,fastest", "--policy: unknown policy 'fastest' (choose from optimal, myopic, dual-price or all)"),
    (" , ", "--policy: give at least one policy (optimal, myopic, dual-price) or all"),
])
def test_a_bad_policy_list_is_one_message(solved: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture,
                                          policy: str, expected: str) -> None:
    instance, result = solved
    for command in (["evaluate", str(result), str(instance)], ["compare", str(instance), str(result)]):
        assert main([*command, "--policy", policy, "--out", str(tmp_path)]) == 2
        err = capsys.readouterr().err
        assert expected in err and "Traceback" not in err and "np." not in err and len(errors(err)) == 1
    assert not list(tmp_path.iterdir())


def test_resolve_every_without_dual_price_is_refused(solved: tuple[Path, Path], capsys: pytest.CaptureFixture) -> None:
    instance, result = solved
    assert main(["evaluate", str(result), str(instance), "--resolve-every", "10"]) == 2
    assert ("--resolve-every applies only to the dual-price policy, which --policy optimal,myopic leaves out"
            in capsys.readouterr().err)


def test_a_report_without_dual_price_results_says_so(solved: tuple[Path, Path], tmp_path: Path) -> None:
    """The default policies (the browser test's report holds all three)."""
    instance, result = solved
    for name in ("summary.json", "stock.csv", "prices.csv", "utilization.csv"):
        (tmp_path / name).write_bytes((result / name).read_bytes())
    common = ["--scenarios", "3", "--out", str(tmp_path), "--quiet"]
    assert main(["evaluate", str(tmp_path), str(instance), *common]) == 0
    assert main(["compare", str(instance), str(tmp_path), "--baselines", "single-echelon", *common]) == 0
    assert main(["report", str(tmp_path), "--out", str(tmp_path / "report.html"), "--instance", str(instance)]) == 0
    html = (tmp_path / "report.html").read_text()
    assert html.count("Fulfillment policies evaluated: optimal, myopic; not evaluated: dual-price") == 2
    assert "Out-of-sample evaluation" in html and "<th>myopic</th>" in html and "<th>dual-price</th>" not in html


@pytest.mark.parametrize("case", ["foreign_product", "negative_stock", "negative_demand", "no_stock", "one_plan",
                                  "no_summary"])
def test_user_errors_are_one_message(solved: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture,
                                     case: str) -> None:
    instance, result = solved
    if case == "foreign_product":
        pd.DataFrame({"product": ["zz"], "node": ["x"], "stock": [1.0]}).to_csv(tmp_path / "stock.csv", index=False)
        args = ["evaluate", str(tmp_path), str(instance)]
        expected = "line 2, column 'product': 'zz' is not in the instance's products.csv"
    elif case == "negative_stock":  # an integer column: the value as written, not numpy's np.int64(-5)
        (tmp_path / "stock.csv").write_text("product,node,stock\np1,x,-5\n")
        args = ["evaluate", str(tmp_path), str(instance)]
        expected = "line 2, column 'stock': must be a number >= 0, got -5"
    elif case == "negative_demand":
        (tmp_path / "demand.csv").write_text("product,zone,speed,scenario,quantity\np1,z,s,s1,-3\n")
        demand = str(tmp_path / "demand.csv")
        args = ["evaluate", str(result), str(instance), "--source", "file", "--demand-file", demand]
        expected = "line 2, column 'quantity': must be a number >= 0, got -3"
    elif case == "no_stock":
        args, expected = ["evaluate", str(tmp_path), str(instance)], "is neither a result directory (no summary.json"
    elif case == "one_plan":
        args, expected = ["compare", str(instance), str(result), "--baselines", ""], "at least two plans"
    else:
        args, expected = ["report", str(tmp_path)], "no summary.json"
    assert main(args) == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err and "np." not in err and len(errors(err)) == 1


def test_progress_writes_only_when_enabled() -> None:
    stream = io.StringIO()
    Progress(stream=stream).start("x", 3)  # StringIO is not a terminal
    assert stream.getvalue() == ""
    progress = Progress(enabled=True, stream=stream)
    progress.start("evaluating", 2)
    progress.advance()
    progress.done()
    assert "evaluating: 1/2" in stream.getvalue()


def test_a_report_after_compare_alone_shows_the_policies_figure(solved: tuple[Path, Path], tmp_path: Path) -> None:
    """comparison.json records each plan's policy gap; the report draws the reference plan's without evaluate."""
    instance, result = solved
    for name in ("summary.json", "stock.csv", "prices.csv", "utilization.csv"):
        (tmp_path / name).write_bytes((result / name).read_bytes())
    assert main(["compare", str(instance), str(tmp_path), "--baselines", "single-echelon", "--scenarios", "3",
                 "--policy", "all", "--out", str(tmp_path), "--quiet"]) == 0
    record = json.loads((tmp_path / "comparison.json").read_text())
    assert "recovered_of_myopic_loss" in record["policy_gap"][record["reference"]]["dual-price"]
    assert main(["report", str(tmp_path), "--out", str(tmp_path / "report.html"), "--instance", str(instance)]) == 0
    assert "<h3>Fulfillment policies</h3>" in (tmp_path / "report.html").read_text()
