"""max_route_lanes beyond the number of nodes changes nothing and costs nothing."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
from support.random_instance import write_random_instance

from meio.data import load_instance
from meio.data.reachability import fastest_routes


def test_a_huge_lane_limit_gives_the_routes_of_a_limit_of_one_lane_per_node(tmp_path: Path) -> None:
    instance = load_instance(write_random_instance(tmp_path / "i", 4, nodes=4))
    nodes = len(instance.nodes)
    # a setting of 10**20 used to loop 10**20 times (every command that loads an instance hung)
    huge = fastest_routes(replace(instance, max_route_lanes=10**20))
    pd.testing.assert_frame_equal(huge, fastest_routes(replace(instance, max_route_lanes=nodes)))
    shortest = fastest_routes(replace(instance, max_route_lanes=1))
    assert (huge["duration"] <= shortest["duration"].reindex(huge.index).fillna(float("inf"))).all()
