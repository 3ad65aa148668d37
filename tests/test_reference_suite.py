"""The bundled reference suite: every stored optimum is reproduced by the extensive form on both
backends (the stored value is the expectation) and by the independent implementation of
tests/support/spec_reference.py, with the member's model variants; the suite covers every feature
it claims, and every variant of a member binds."""

from __future__ import annotations

import filecmp
import math
from pathlib import Path

import pytest
from support.spec_reference import solve_reference

from meio.cli import main
from meio.data import load_instance
from meio.data.bundled import bundled_names
from meio.data.bundled.build_reference import SPECS, build_member
from meio.suite import read_reference, suite_members
from meio.suite.optimum import AGREEMENT, compute_reference, relative_difference

MEMBERS = suite_members("reference")
IDS = [m.name for m in MEMBERS]


def test_every_spec_is_a_member_with_a_reference() -> None:
    assert [m.name for m in MEMBERS] == sorted(f"reference/{s.name}" for s in SPECS)
    assert 15 <= len(MEMBERS) <= 25
    variants = {f"reference/{s.name}": s.variants for s in SPECS}
    assert all(m.reference is not None and m.reference.variants == variants[m.name] for m in MEMBERS)
    assert set(IDS) <= set(bundled_names())


@pytest.mark.parametrize("member", MEMBERS, ids=IDS)
def test_stored_optimum_is_reproduced_on_both_backends(member) -> None:
    stored = member.reference
    # raises unless HiGHS and OR-Tools agree
    computed = compute_reference(load_instance(member.name), member.reference.variants)
    assert computed.status == stored.status
    assert relative_difference(computed.lp, stored.lp) <= AGREEMENT
    assert (computed.mip is None) == (stored.mip is None)
    if stored.mip is not None:
        assert relative_difference(computed.mip, stored.mip) <= AGREEMENT
    assert (computed.variables, computed.constraints) == (stored.variables, stored.constraints)


@pytest.mark.parametrize("member", MEMBERS, ids=IDS)
def test_stored_optimum_agrees_with_the_independent_implementation(member) -> None:
    stored = member.reference
    relaxed = solve_reference(member.path, integer=False, variants=stored.variants)
    if stored.status == "infeasible":
        assert relaxed.status == "infeasible"
        return
    assert relaxed.status == "optimal"
    assert relative_difference(relaxed.objective, stored.lp) <= 1e-7
    if stored.mip is not None:
        exact = solve_reference(member.path, integer=True, mip_gap=1e-9, variants=stored.variants)
        assert relative_difference(exact.objective, stored.mip) <= 1e-7


def test_the_suite_covers_every_feature() -> None:
    instances = {m.name.split("/")[1]: load_instance(m.name) for m in MEMBERS}
    assert any(i.windows is not None for i in instances.values())
    assert any(i.nodes["cutoff_hour"].notna().any() for i in instances.values())
    assert any(i.nodes["categories"].notna().any() for i in instances.values())
    assert any(not i.inventory.empty for i in instances.values())
    assert any(i.scenarios["weight"].nunique() > 1 for i in instances.values())
    assert any(i.speeds["fill_rate_target"].notna().any() for i in instances.values())
    assert any(i.integer_stock for i in instances.values())
    assert {i.max_route_lanes for i in instances.values()} == {1, 2}
    assert any(m.reference.status == "infeasible" for m in MEMBERS)
    assert max(len(i.products) for i in instances.values()) >= 200
    assert all(m.reference.mip is not None for m in MEMBERS if instances[m.name.split("/")[1]].integer_stock)
    assert all(math.isfinite(m.reference.lp) == (m.reference.status == "optimal") for m in MEMBERS)
    variants = {v.partition(":")[0] for m in MEMBERS for v in m.reference.variants}
    assert {"budget", "category_storage", "max_stock"} <= variants
    assert any(m.reference.variants and m.reference.mip is not None for m in MEMBERS)


VARIANT_MEMBERS = [m for m in MEMBERS if m.reference.variants]


@pytest.mark.parametrize("member", VARIANT_MEMBERS, ids=[m.name for m in VARIANT_MEMBERS])
def test_every_variant_of_a_member_binds(member) -> None:
    """Without any one of its variants (the others kept) the member's LP optimum is lower."""
    stored = member.reference
    for i, text in enumerate(stored.variants):
        others = stored.variants[:i] + stored.variants[i + 1:]
        without = solve_reference(member.path, integer=False, variants=others).objective
        assert without < stored.lp * (1 - 1e-6), text
        described = f"without {text}: {without:,.2f}" if stored.mip is None else f"without {text}: "
        assert described in load_instance(member.name).description  # the MIP's optimum for integer stock


def test_build_script_rewrites_identical_files(tmp_path: Path) -> None:
    spec = next(s for s in SPECS if s.name == "storage_binds")  # also checks its storage binds
    rebuilt = tmp_path / spec.name
    build_member(spec, rebuilt)
    original = next(m.path for m in MEMBERS if m.name == f"reference/{spec.name}")
    names = sorted(p.name for p in original.iterdir())
    assert names == sorted(p.name for p in rebuilt.iterdir())
    _, mismatch, errors = filecmp.cmpfiles(original, rebuilt, names, shallow=False)
    assert mismatch == [] and errors == []


def test_instances_lists_the_variants_of_each_member(capsys: pytest.CaptureFixture) -> None:
    assert main(["instances"]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()}
    assert lines["name"].rstrip().endswith("variants")
    for member in MEMBERS:
        flags = " ".join(f"--variant {v}" for v in member.reference.variants)
        assert lines[member.name].endswith(flags) if flags else "--variant" not in lines[member.name]


def test_convert_keeps_the_reference_and_names_its_variants(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    member = "reference/integer_budget_max_stock"
    assert main(["convert", member, str(tmp_path / "copy")]) == 0
    printed = capsys.readouterr().out
    assert "with its reference.toml" in printed
    assert "solve it with --variant budget:amount=1000 --variant max_stock:units=15,kind=fc" in printed
    assert read_reference(tmp_path / "copy") == next(m.reference for m in MEMBERS if m.name == member)
    assert main(["convert", member, str(tmp_path / "copy.zip")]) == 0
    assert "--variant budget:amount=1000" in capsys.readouterr().out  # the bundle holds no reference.toml
    assert main(["convert", "tiny", str(tmp_path / "copy"), "--force"]) == 0  # no stale reference is left
    assert "--variant" not in capsys.readouterr().out and read_reference(tmp_path / "copy") is None
