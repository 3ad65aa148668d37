"""From a forecast to a solvable instance in one command: ``meio scenarios --network``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from meio.cli import main
from meio.data import load_instance

FORECAST = """product,zone,speed,daily_mean,dispersion,review_days,lead_time_mean,lead_time_std
widget,A,two_day,2.0,2.0,7,3,1
widget,B,two_day,1.0,2.0,7,3,1
widget,A,same_day,0.5,1.5,7,3,1
"""


def test_forecast_on_a_network_gives_a_solvable_instance(tmp_path: Path) -> None:
    forecast = tmp_path / "forecast.csv"
    forecast.write_text(FORECAST)
    out = tmp_path / "replanned"
    assert main(["scenarios", str(forecast), "--network", "tiny", "--out", str(out), "--scenarios", "20",
                 "--seed", "3"]) == 0
    instance = load_instance(out)
    assert len(instance.scenarios) == 20
    assert instance.scenarios["weight"].tolist() == pytest.approx([0.05] * 20)
    assert instance.nodes.at["FC1", "storage_capacity"] == 25  # the network is kept
    # named after its directory (its results do not go to results/tiny), its settings kept
    assert instance.name == "replanned" and "on the network of tiny" in instance.description
    mean_two_day = instance.demand.query("speed == 'two_day'")["quantity"].sum() / 20
    assert mean_two_day == pytest.approx(3.0 * 10, rel=0.25)  # 3 units/day over 7 + 3 days
    assert main(["solve", str(out), "--out", str(tmp_path / "result"), "--quiet"]) == 0
    assert json.loads((tmp_path / "result" / "summary.json").read_text())["status"] == "optimal"


def test_unknown_zone_is_named(tmp_path: Path, capsys) -> None:
    forecast = tmp_path / "forecast.csv"
    forecast.write_text(FORECAST.replace("widget,B,", "widget,Atlantis,"))
    code = main(["scenarios", str(forecast), "--network", "tiny", "--out", str(tmp_path / "x"),
                 "--scenarios", "5", "--seed", "1"])
    assert code == 2
    assert f"{forecast}, column 'zone': 'Atlantis' is not defined in zones.csv" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_the_network_settings_are_kept_but_not_its_name(tmp_path: Path) -> None:
    from meio.data.bundled import resolve_instance_path

    network = tmp_path / "network"
    shutil.copytree(resolve_instance_path("tiny"), network)
    (network / "instance.toml").write_text('name = "hub"\nmax_route_lanes = 1\ninteger_stock = true\n')
    forecast = tmp_path / "forecast.csv"
    forecast.write_text(FORECAST)
    assert main(["scenarios", str(forecast), "--network", str(network), "--out", str(tmp_path / "new"),
                 "--scenarios", "5", "--seed", "1"]) == 0
    instance = load_instance(tmp_path / "new")
    assert (instance.name, instance.max_route_lanes, instance.integer_stock) == ("new", 1, True)
    assert instance.description == f"demand sampled from {forecast} by 'meio scenarios' on the network of hub"
