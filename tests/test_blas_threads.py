"""Pricing runs with one BLAS thread (OpenBLAS's spinning threads take CPU from the other
workers): in the solving process for the solve only, and in every worker process."""

from __future__ import annotations

from multiprocessing import Pipe

import pytest
import threadpoolctl

from meio.data import load_instance
from meio.decomposition import solve_decomposition
from meio.decomposition.coordinator import Products
from meio.decomposition.process_engine import serve
from meio.decomposition.ray_engine import ActorWorker
from meio.decomposition.worker import WorkerSpec


def blas_threads() -> set[int]:
    return {pool["num_threads"] for pool in threadpoolctl.threadpool_info() if pool["user_api"] == "blas"}


def test_the_solve_prices_with_one_blas_thread_and_restores_the_count(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[set[int]] = []
    original = Products.price

    def price(self: Products, *args: object, **kwargs: object) -> object:
        seen.append(blas_threads())
        return original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Products, "price", price)
    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):  # the same start on any machine
        assert blas_threads() == {2}
        solve_decomposition(load_instance("tiny"))
        assert seen and all(threads == {1} for threads in seen)
        assert blas_threads() == {2}


def test_a_worker_process_runs_with_one_blas_thread() -> None:
    instance = load_instance("tiny")
    spec = WorkerSpec(first=0, products=list(instance.products.index), data=instance, integer=False,
                      backend="highs")
    parent, child = Pipe()
    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):
        parent.send(("pid", ()))
        parent.send(None)
        serve(spec, child)  # answers, then returns on None, in this process
        assert parent.recv()[0] is True
        assert blas_threads() == {1}


def test_a_ray_actor_worker_runs_with_one_blas_thread() -> None:
    instance = load_instance("tiny")
    spec = WorkerSpec(first=0, products=list(instance.products.index), data=instance, integer=False,
                      backend="highs")
    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):
        ActorWorker(spec)  # what a Ray actor runs in its own process
        assert blas_threads() == {1}
