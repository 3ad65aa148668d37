"""Pricing engines: threads, worker processes and Ray actors give exactly the same answer, a
killed worker is replaced without changing it, and the coordinator holds no solution vectors."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from support.random_instance import write_random_instance
from support.same_answer import assert_same

from meio.data import load_instance
from meio.data.generator import generate_instance
from meio.decomposition import DecompositionConfig, solve_decomposition
from meio.decomposition.coordinator import Products
from meio.decomposition.engine import PricingEngine, ReplayingEngine, ThreadsEngine, make_engine
from meio.decomposition.pricing import Column
from meio.decomposition.process_engine import ProcessesEngine
from meio.errors import OptionError, SolverError
from meio.results import write_result

ray = pytest.importorskip("ray", reason="the ray extra (pip install 'meio[ray]') is not installed")


@pytest.fixture(scope="module")
def processes() -> Iterator[ProcessesEngine]:
    yield ProcessesEngine(2)  # forkserver: one server for the module, a fork per worker


@pytest.fixture(scope="module")
def ray_engine() -> Iterator[PricingEngine]:
    engine = make_engine("ray", 2)
    yield engine
    ray.shutdown()


def engines(processes: ProcessesEngine, ray_engine: PricingEngine) -> list[PricingEngine]:
    return [ThreadsEngine(1), processes, ray_engine]


def instance_dir(directory: Path, seed: int, **flags: bool) -> Path:
    return write_random_instance(directory, seed, products=9, nodes=3, zones=3, speeds=2, scenarios=3,
                                 capacities=True, weights=True, service_targets=True, **flags)


@pytest.mark.parametrize("seed", [3, 17])
def test_every_engine_gives_the_same_answer(tmp_path: Path, seed: int, processes: ProcessesEngine,
                                            ray_engine: PricingEngine) -> None:
    directory = instance_dir(tmp_path / "i", seed, on_hand=True, windows=seed == 17)
    instance = load_instance(directory)
    results = [solve_decomposition(instance, config=DecompositionConfig(engine=engine))
               for engine in engines(processes, ray_engine)]
    # as meio solve runs it: the coordinator keeps no rows, each worker loads its products from the directory
    results.append(solve_decomposition(instance.without_rows(),
                                       config=DecompositionConfig(engine=processes, source=directory)))
    assert_same(results)
    assert [r.details["engine"] for r in results] == ["threads", "processes", "ray", "processes"]
    assert [r.details["workers"] for r in results] == [1, 2, 2, 2]
    # one peak per worker (the in-process worker's is the coordinator's), read when the solve ends
    assert [len(r.details["worker_peak_mb"]) for r in results] == [1, 2, 2, 2]
    assert all(0.0 < peak for r in results for peak in r.details["worker_peak_mb"])


def test_every_engine_gives_the_same_integer_plan(tmp_path: Path, processes: ProcessesEngine,
                                                  ray_engine: PricingEngine) -> None:
    instance = load_instance(instance_dir(tmp_path / "i", 21, integer_stock=True))
    results = [solve_decomposition(instance, config=DecompositionConfig(engine=engine))
               for engine in engines(processes, ray_engine)]
    assert_same(results)
    stock = results[0].stock["stock"].to_numpy()
    np.testing.assert_allclose(stock, np.round(stock), atol=1e-6)


def test_every_engine_warm_starts_the_same_from_a_path(tmp_path: Path, processes: ProcessesEngine,
                                                       ray_engine: PricingEngine) -> None:
    directory = instance_dir(tmp_path / "i", 13)
    write_result(solve_decomposition(load_instance(directory)), tmp_path / "cold")
    demand = pd.read_csv(directory / "demand.csv", dtype={"product": str, "quantity": float})
    # a forecast change of every third product: the rest take their terms over, on every worker
    names = demand["product"].unique()
    moved = demand["product"].isin(names[::3])
    demand.loc[moved, "quantity"] *= np.random.default_rng(0).uniform(0.95, 1.05, int(moved.sum()))
    demand.to_csv(directory / "demand.csv", index=False)
    changed = load_instance(directory)
    results = [solve_decomposition(changed, config=DecompositionConfig(engine=engine, warm_start=tmp_path / "cold",
                                                                      source=directory))
               for engine in engines(processes, ray_engine)]
    assert_same(results)
    assert all(r.details["warm_start_bases"] == len(changed.products) for r in results)
    assert all(r.details["warm_start_reused_products"] == len(names) - len(names[::3]) for r in results)
    written = [write_result(r, tmp_path / r.details["engine"]) for r in results]
    for name in ("bases.npz", "warm_start.npz"):
        stored = [np.load(tmp_path / r.details["engine"] / name) for r in results]
        for other in stored[1:]:
            for key in stored[0].files:
                np.testing.assert_array_equal(other[key], stored[0][key])
    assert all(tmp_path / r.details["engine"] / "bases.npz" in w for r, w in zip(results, written))


def kill_a_worker_during(engine: ReplayingEngine, after_calls: int, times: int = 1) -> threading.Thread:
    """A thread that kills worker 1 (SIGKILL) once the run has made ``after_calls`` calls, and
    each replacement (``times`` kills in all) once it has started."""
    def kill() -> None:
        killed: set[int] = set()
        while len(killed) < times:
            if engine.calls >= after_calls and len(engine.pids) > 1 and engine.pids[1] not in killed | {0}:
                killed.add(engine.pids[1])
                os.kill(engine.pids[1], signal.SIGKILL)
            time.sleep(0.001)

    thread = threading.Thread(target=kill, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("which", ["processes", "ray"])
def test_a_worker_killed_mid_run_is_replaced_and_the_answer_is_the_same(
        tmp_path: Path, which: str, processes: ProcessesEngine, ray_engine: PricingEngine) -> None:
    engine = processes if which == "processes" else ray_engine
    assert isinstance(engine, ReplayingEngine)
    instance = load_instance(instance_dir(tmp_path / "i", 5))
    undisturbed = solve_decomposition(instance, config=DecompositionConfig(engine=engine))
    assert undisturbed.details["worker_replacements"] == 0
    engine.calls = 0
    killer = kill_a_worker_during(engine, after_calls=6)  # build, rows, a pricing pass, zero stock, ...
    disturbed = solve_decomposition(instance, config=DecompositionConfig(engine=engine))
    killer.join(timeout=30)
    assert disturbed.details["worker_replacements"] >= 1
    assert_same([undisturbed, disturbed])
    engine.replacements = 0


def test_a_worker_lost_twice_ends_the_run_and_says_how_it_died(tmp_path: Path, processes: ProcessesEngine) -> None:
    instance = load_instance(instance_dir(tmp_path / "i", 5))
    processes.calls = 0
    killer = kill_a_worker_during(processes, after_calls=6, times=2)
    with pytest.raises(SolverError, match=r"worker 1 \(products \S+ to \S+\) was lost 2 times in this run, "
                                          r"the last time killed by SIGKILL \(what the kernel's out-of-memory"):
        solve_decomposition(instance, config=DecompositionConfig(engine=processes))
    killer.join(timeout=30)
    assert not killer.is_alive()
    processes.replacements = 0


def test_the_coordinator_keeps_no_solution_vectors(tmp_path: Path, processes: ProcessesEngine,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # the benchmark family (random_instance's P0..P199 break the numpy builder beyond ~15 products a chunk)
    instance = load_instance(generate_instance(tmp_path / "i", products=200, nodes=3, zones=5, scenarios=2, seed=1,
                                               tightness=0.8))
    seen: dict[str, object] = {}
    totals = Products.totals

    def spy(self: Products, instance: object, columns: list[Column], weights: np.ndarray) -> object:
        seen["columns"], seen["workers"] = columns, self.memory()
        return totals(self, instance, columns, weights)

    monkeypatch.setattr(Products, "totals", spy)
    result = solve_decomposition(instance, config=DecompositionConfig(engine=processes))
    assert result.has_plan
    columns = seen["columns"]
    assert isinstance(columns, list) and len(columns) >= 2 * len(instance.products)
    assert {name for name in vars(columns[0])} == {"product", "cost", "usage", "key"}
    coordinator = sum(c.usage.nbytes for c in columns)  # the only array a column holds
    workers = seen["workers"]
    assert isinstance(workers, list) and len(workers) == 2 and min(workers) > 0
    assert sum(workers) > 2 * coordinator  # the solution vectors, held by the workers only


def test_workers_keep_the_solution_vectors_of_the_masters_columns_only(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    instance = load_instance(generate_instance(tmp_path / "i", products=60, nodes=3, zones=5, scenarios=2, seed=4,
                                               tightness=0.8))
    engine = ThreadsEngine()
    seen: dict[str, object] = {}
    totals = Products.totals

    def spy(self: Products, instance: object, columns: list[Column], weights: np.ndarray) -> object:
        assert engine.worker is not None
        seen["master"], seen["store"] = {c.key for c in columns}, list(engine.worker.store)
        return totals(self, instance, columns, weights)

    monkeypatch.setattr(Products, "totals", spy)
    result = solve_decomposition(instance, config=DecompositionConfig(engine=engine))
    assert result.has_plan and result.details["iterations"] >= 2
    store, master = seen["store"], seen["master"]
    assert isinstance(store, list) and isinstance(master, set)
    assert len(store) > len(master)  # pricing offered columns the master declined ...
    assert {key for key, z in enumerate(store) if z is not None} == master  # ... and only theirs were dropped


def test_a_bad_engine_is_an_option_error() -> None:
    with pytest.raises(OptionError, match="unknown engine 'mpi'"):
        make_engine("mpi", 2)
    with pytest.raises(OptionError, match="--address applies only to --engine ray"):
        make_engine("processes", 2, "head:6379")
    with pytest.raises(OptionError, match="workers must be >= 1"):
        ProcessesEngine(0)
    with pytest.raises(OptionError, match="an engine or an executor"):
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(1) as pool:
            DecompositionConfig(engine=ThreadsEngine(), executor=pool)
