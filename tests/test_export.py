"""meio export: the extensive form as MPS and LP solved by HiGHS directly (and by GLPK) gives meio's
objective; the .dec file has one block per product and the linking rows as master constraints."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import highspy
import pytest

from meio.cli import main
from meio.data import load_instance
from meio.data.bundle import open_instance
from meio.exact import solve_extensive
from meio.export import CONSTANT_COLUMN, names, safe_name, write_dec, write_model
from meio.models import build_model
from meio.suite.optimum import relative_difference
from meio.suite.reference import read_reference

#: Members with an objective constant (on-hand stock), integer stock, windows and routes through a DC.
MEMBERS = ["tiny", "reference/on_hand", "reference/integer_stock", "reference/windows_cutoffs",
           "reference/dc_routes", "reference/fill_rate_target"]


def highs_objective(path: Path) -> float:
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("mip_rel_gap", 1e-9)
    assert highs.readModel(str(path)) == highspy.HighsStatus.kOk
    highs.run()
    assert highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return highs.getInfo().objective_function_value


@pytest.mark.parametrize("fmt", ["mps", "lp"])
@pytest.mark.parametrize("name", MEMBERS)
def test_exported_model_solved_by_highs_gives_the_extensive_objective(name: str, fmt: str, tmp_path: Path) -> None:
    instance = load_instance(name)
    path = tmp_path / f"model.{fmt}"
    assert main(["export", name, "--out", str(path), "--quiet"]) == 0
    expected = solve_extensive(instance, "highs").objective
    assert relative_difference(highs_objective(path), expected) <= 1e-9


@pytest.mark.parametrize("name", ["reference/budget_binds", "reference/integer_budget_max_stock"])
def test_a_member_with_variants_exports_its_reference_model(name: str, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture) -> None:
    _, location = open_instance(name)
    reference = read_reference(location)
    assert reference is not None and reference.variants
    assert main(["export", name, "--out", str(tmp_path / "plain.mps")]) == 0
    assert "--variant" in capsys.readouterr().out  # the user learns the reference is of the variant model
    options = [item for text in reference.variants for item in ("--variant", text)]
    assert main(["export", name, *options, "--out", str(tmp_path / "model.mps"), "--quiet"]) == 0
    expected = reference.mip if reference.mip is not None else reference.lp
    assert relative_difference(highs_objective(tmp_path / "model.mps"), expected) <= 1e-9


def test_the_constant_is_a_fixed_column_and_names_are_the_formulation_s(tmp_path: Path) -> None:
    built = build_model(load_instance("reference/on_hand"))
    form = write_model(built, tmp_path / "m.mps", "mps")
    assert form.offset < 0  # on-hand stock is not bought again
    text = (tmp_path / "m.mps").read_text()
    cost = re.search(rf"^\s*{CONSTANT_COLUMN}\s+Obj\s+(\S+)$", text, re.M)
    assert cost is not None and float(cost.group(1)) == pytest.approx(form.offset, rel=1e-15)
    assert re.search(rf"^ FX BOUND\s+{CONSTANT_COLUMN}\s+1$", text, re.M)
    columns, rows = names(form)
    assert any(c.startswith("y(p01,") for c in columns) and any(r.startswith("linking.storage(") for r in rows)
    assert safe_name("throughput[FC1, s3]") == "throughput(FC1,s3)" and safe_name("y['a b',n]") == "y(_ab_,n)"


@pytest.mark.parametrize("name", ["reference/categories", "reference/integer_capacities"])
def test_dec_blocks_match_the_products(name: str, tmp_path: Path) -> None:
    instance = load_instance(name)
    built = build_model(instance)
    form = write_model(built, tmp_path / "m.lp", "lp")
    blocks = write_dec(built, form, tmp_path / "m.dec")
    master = blocks.pop("master")
    with_demand = [p for p in instance.products.index if p in set(instance.demand["product"])]
    assert list(blocks) == with_demand
    for product, rows in blocks.items():
        assert rows and all(f"({product}," in row for row in rows)
    linking = sorted(safe_name(row.constraint.name) for row in built.linking)
    assert sorted(master) == linking
    _, all_rows = names(form)
    assert sorted(master + [r for rows in blocks.values() for r in rows]) == sorted(all_rows)
    text = (tmp_path / "m.dec").read_text().splitlines()
    assert text[text.index("NBLOCKS") + 1] == str(len(with_demand))
    assert [line for line in text if line.startswith("BLOCK ")] == [f"BLOCK {i}" for i in range(1, len(blocks) + 1)]
    assert text[text.index("MASTERCONSS") + 1:] == master


def test_glpk_solves_the_exported_mps_to_meio_s_objective(tmp_path: Path) -> None:
    assert shutil.which("glpsol"), "GLPK (glpsol) is missing: `make test` installs it (apt-get install glpk-utils)"
    path, report = tmp_path / "m.mps", tmp_path / "glpk.txt"
    assert main(["export", "reference/on_hand", "--out", str(path), "--quiet"]) == 0
    subprocess.run(["glpsol", "--freemps", str(path), "-o", str(report)], check=True, capture_output=True)
    value = float(re.search(r"Objective:\s+\S+ = (\S+)", report.read_text()).group(1))
    assert relative_difference(value, solve_extensive(load_instance("reference/on_hand")).objective) <= 1e-6


def test_export_options(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["export", "tiny", "--out", str(tmp_path / "m.txt")]) == 2
    assert "--format is needed" in capsys.readouterr().err
    assert main(["export", "tiny", "--out", str(tmp_path / "m.txt"), "--format", "lp",
                 "--dec", str(tmp_path / "m.dec")]) == 0
    out = capsys.readouterr().out
    assert "wrote" in out and "1 blocks" in out and (tmp_path / "m.txt").read_text().startswith("\\")
    assert main(["export", "tiny", "--out", str(tmp_path / "no" / "dir" / "m.mps")]) == 2
    assert main(["export", "no_such_instance", "--out", str(tmp_path / "m.mps")]) == 2
