"""The instance generator: determinism, sizes, validity under SPEC §1, geography, capacity tightness."""

from __future__ import annotations

import filecmp
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from meio.cli import main
from meio.data import load_instance
from meio.data.derived import derive_sets
from meio.data.generator import (
    GeneratorConfig,
    GeneratorError,
    generate_instance,
    great_circle_km,
    load_metros,
    place_nodes,
    zone_table,
)
from meio.solve import solve

SMALL = dict(products=12, nodes=6, zones=6, scenarios=5, seed=3)
FULL = dict(windows=True, on_hand=True, nonsort_sites=True, fill_rate_target=0.5)


def files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    first = generate_instance(tmp_path / "a", **SMALL, **FULL)
    again = generate_instance(tmp_path / "b", **SMALL, **FULL)
    other = generate_instance(tmp_path / "c", **{**SMALL, "seed": 4}, **FULL)
    names = files(first)
    assert names == files(again)
    _, mismatch, errors = filecmp.cmpfiles(first, again, names, shallow=False)
    assert mismatch == [] and errors == []
    assert (first / "demand.csv").read_bytes() != (other / "demand.csv").read_bytes()


@pytest.mark.parametrize("knobs", [
    {},
    FULL,
    {"speeds": ("one_day", "two_day"), "tightness": 2.0},
    {"speeds": ("two_day", "three_day"), "same_day_sites": False, "large_share": 1.0},
])
def test_every_generated_instance_loads(tmp_path: Path, knobs: dict) -> None:
    """load_instance checks every rule of SPEC §1 and raises InstanceError otherwise."""
    instance = load_instance(generate_instance(tmp_path, **SMALL, **knobs))
    # the only warnings: same-day demand in zones no same-day site reaches (a property of the network)
    assert all(note.startswith("demand.csv: no route delivers within") for note in instance.notes)
    assert len(instance.products) == SMALL["products"]
    assert len(instance.nodes) == SMALL["nodes"]
    assert len(instance.zones) == SMALL["zones"]
    assert len(instance.scenarios) == SMALL["scenarios"]
    assert set(instance.products["category"]) <= {"small", "large"}
    assert (instance.windows is not None) == bool(knobs.get("windows"))


def test_sizes_kinds_and_categories(tmp_path: Path) -> None:
    path = generate_instance(tmp_path, products=200, nodes=10, zones=12, scenarios=4, seed=1,
                             nonsort_sites=True)
    nodes = pd.read_csv(path / "nodes.csv", keep_default_na=False)
    assert nodes["kind"].value_counts().to_dict() == {"fc": 5, "dc": 2, "sameday": 2, "nonsort": 1}
    assert set(nodes.loc[nodes["kind"] == "nonsort", "categories"]) == {"large"}
    assert set(nodes.loc[nodes["kind"].isin(["fc", "sameday"]), "categories"]) == {"small"}
    zones = pd.read_csv(path / "zones.csv")
    assert zones["zone"].tolist() == load_metros()["zone"].head(12).tolist()
    products = pd.read_csv(path / "products.csv")
    assert 0.05 < (products["category"] == "large").mean() < 0.3
    large_same_day = pd.read_csv(path / "demand.csv").merge(products, on="product").query(
        "category == 'large' and speed == 'same_day'")
    assert large_same_day.empty


def test_product_economics(tmp_path: Path) -> None:
    products = pd.read_csv(generate_instance(tmp_path, **{**SMALL, "products": 500}) / "products.csv")
    annual = products["holding_cost"] / products["unit_cost"] * 365 / 7
    assert annual.between(0.195, 0.255).all()
    assert (products["lost_sale_cost"] > products["unit_cost"]).all()
    assert (products["unit_volume"] > 0).all()
    means = products.groupby("category")["unit_volume"].median()
    assert means["large"] > 10 * means["small"]


def test_metros_are_the_largest_msas_with_plausible_coordinates() -> None:
    metros = load_metros()
    assert len(metros) == 50 and metros["zone"].is_unique
    assert metros["population"].is_monotonic_decreasing
    assert metros["lat"].between(24, 49).all() and metros["lon"].between(-125, -66).all()
    ny, la = metros.iloc[0], metros.iloc[1]
    assert great_circle_km(ny["lat"], ny["lon"], la["lat"], la["lon"]) == pytest.approx(3940, rel=0.01)


def test_transit_hours_and_same_day_reach(tmp_path: Path) -> None:
    """Lanes follow km * 1.2 / 80 + 2; same-day is on time only from nodes within ~270 km."""
    config = GeneratorConfig(**SMALL)
    zones = zone_table(config.zones)
    nodes = place_nodes(config, zones, np.random.default_rng(config.seed)).set_index("node")
    instance = load_instance(generate_instance(tmp_path, **SMALL))
    lanes = instance.lanes[instance.lanes["destination"].isin(zones["zone"])]
    where = zones.set_index("zone")
    km = great_circle_km(nodes.loc[lanes["origin"], "lat"].to_numpy(), nodes.loc[lanes["origin"], "lon"].to_numpy(),
                         where.loc[lanes["destination"], "lat"].to_numpy(),
                         where.loc[lanes["destination"], "lon"].to_numpy())
    np.testing.assert_allclose(lanes["transit_hours"], km * 1.2 / 80 + 2, atol=0.01)
    sets = derive_sets(instance)
    pairs = sets.eligible.merge(sets.classes, left_on="class", right_index=True).merge(
        sets.routes[["origin"]], left_on="route", right_index=True)
    same_day = pairs[pairs["speed"] == "same_day"]
    assert not same_day.empty
    km = great_circle_km(nodes.loc[same_day["origin"], "lat"].to_numpy(),
                         nodes.loc[same_day["origin"], "lon"].to_numpy(),
                         where.loc[same_day["zone"], "lat"].to_numpy(), where.loc[same_day["zone"], "lon"].to_numpy())
    assert km.max() < 270
    assert len(pairs[pairs["speed"] == "two_day"]["zone"].unique()) == SMALL["zones"]


@pytest.mark.parametrize("tightness, binds", [(0.5, True), (3.0, False)])
def test_capacity_tightness(tmp_path: Path, tightness: float, binds: bool) -> None:
    """At tightness 0.5 storage is full somewhere in the optimal plan; at 3 every capacity is slack."""
    instance = load_instance(generate_instance(tmp_path, **SMALL, tightness=tightness, daily_demand_median=3.0))
    use = solve(instance).utilization
    full = use["storage_utilization"] > 1 - 1e-6
    assert full.any() == binds
    if not binds:
        assert (use["storage_utilization"] < 0.9).all()
        assert (use["throughput_utilization"] < 0.9).all()


@pytest.mark.parametrize("knobs, message", [
    ({"speeds": ("warp",)}, "unknown speed"),
    ({"nodes": 2}, "nodes must be >= 3 with these sites and speeds"),
    ({"nodes": 2, "same_day_sites": False, "nonsort_sites": True}, "nodes must be >= 3"),
    ({"nodes": 63, "zones": 50}, "nodes must be <= 62"),
    ({"nodes": 20, "zones": 3}, "nodes must be <= 19 with these sites, speeds and zones"),
    ({"zones": 51}, "zones must be in"),
    ({"tightness": 0.0}, "tightness must be > 0"),
    ({"tightness": 1e300}, r"tightness must be > 0 and <= 100, got 1e\+300"),
    ({"lead_time_std": -1.0}, "lead_time_std must be >= 0"),
    ({"name": ".."}, "name must be one path component"),
])
def test_bad_configuration_is_a_user_error(tmp_path: Path, knobs: dict, message: str) -> None:
    with pytest.raises(GeneratorError, match=message):
        generate_instance(tmp_path, **{**SMALL, **knobs})


def test_cli_generate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "inst"
    argv = ["generate", str(out), "--products", "5", "--nodes", "4", "--zones", "3", "--scenarios", "2",
            "--seed", "9", "--windows"]
    assert main(argv) == 0
    assert {"products.csv", "windows.csv", "demand.csv"} <= set(files(out))
    assert main([*argv[:-1], "--speeds", "same_day,hyper"]) == 2
    assert "unknown speed" in capsys.readouterr().err


def test_bundled_demo_is_what_build_demo_writes(tmp_path: Path) -> None:
    from meio.data.bundled.build_demo import DEMO_DIR, build

    rebuilt = build(tmp_path / "demo")
    names = files(DEMO_DIR)
    assert names == files(rebuilt)
    _, mismatch, errors = filecmp.cmpfiles(DEMO_DIR, rebuilt, names, shallow=False)
    assert mismatch == [] and errors == []
    demo = load_instance("demo")
    assert (len(demo.products), len(demo.zones), len(demo.scenarios)) == (40, 13, 30)
    assert demo.nodes["kind"].value_counts().to_dict() == {"fc": 4, "dc": 1, "sameday": 1}
