"""Scaling benchmark of the decomposition against the extensive form (issue #3).

    python benchmarks/decomposition_scaling.py --sizes 100 1000 5000 10000 --out benchmarks/out

For each size it generates an instance (10 nodes, 30 zones, 3 speeds, 50 scenarios,
binding capacities), then runs each measurement in a fresh subprocess so that its peak
memory (max RSS) is its own: the extensive form (up to ``--extensive-max`` products), the
decomposition to 1e-4 (``RUNS``: stabilised column generation alone, with capacity shares, as
configured by default (shares and clearing prices), and without stabilisation),
and a warm re-plan after each forecast change of ``--changes`` (default 5%) against a
cold solve of the changed instance (both as configured by default). The floor pass (one
pricing pass at the final prices, from no basis) and the result each re-plan starts from are
the default run's. Rows are appended to
``OUT/results.jsonl`` and printed, one JSON line per size.
"""

from __future__ import annotations

import argparse
import itertools
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from meio.data.instance import Instance
from meio.results.result import Result

#: The decomposition runs compared: DecompositionConfig options of each (``default``: as configured by default).
RUNS: dict[str, dict[str, bool]] = {
    "stabilized": {"capacity_shares": False},
    "shares": {"clearing_prices": False},
    "default": {},
    "plain": {"stabilization": False, "capacity_shares": False},
    "master_to_optimum": {"stop_master_within_gap": False},
}


def measure(args: argparse.Namespace) -> None:
    """Child process: run one solve and print one JSON line with its figures and peak memory."""
    from meio.data import load_instance
    from meio.decomposition import DecompositionConfig, solve_decomposition
    from meio.exact import solve_extensive
    from meio.results import write_result
    from meio.solvers import SolveOptions

    start = time.perf_counter()
    instance = load_instance(args.instance)
    load_seconds = time.perf_counter() - start
    if args.run == "extensive":
        result = solve_extensive(instance, args.backend, SolveOptions(time_limit=args.time_limit))
    else:
        config = DecompositionConfig(gap=1e-4, workers=args.workers, warm_start=args.warm_start,
                                     time_limit=args.time_limit, progress=False, **RUNS[args.run])
        result = solve_decomposition(instance, args.backend, config=config)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    if args.write is not None:
        write_result(result, args.write)
    keys = ("iterations", "columns", "build_seconds", "master_seconds", "subproblem_seconds", "share_seconds",
            "pricing_passes", "last_pricing_pass_seconds", "solve_seconds", "variables", "warm_start_bases",
            "warm_start_reused_products", "master_early_stops")
    floor = floor_pass(instance, result, args) if args.floor else {}
    print(json.dumps({"status": result.status.value, "objective": result.objective,
                      "lower_bound": result.lower_bound, "gap": result.gap, "seconds": result.seconds,
                      "load_seconds": load_seconds, "peak_mb": peak_mb, **floor, **time_to_gap(result),
                      **{k: result.details[k] for k in keys if k in result.details}}))


def time_to_gap(result: object) -> dict[str, float | None]:
    """Seconds from the start of the solve to the first proven gap within 1% and within 1e-4."""
    convergence = getattr(result, "tables", {}).get("convergence")
    if convergence is None:
        return {}
    found = {}
    for name, gap in (("seconds_to_1pct", 1e-2), ("seconds_to_1e-4", 1e-4)):
        within = convergence[convergence["gap"] <= gap]
        found[name] = float(within["seconds"].iloc[0]) if len(within) else None
    return found


def floor_pass(instance: Instance, result: Result, args: argparse.Namespace) -> dict[str, float]:
    """The floor of any price-coordination method: one pricing pass over all products at the
    final prices, from freshly built subproblems (no stored basis), on the engine the run used
    (threads for one worker, else worker processes) with the same worker count; measured after
    the run (and after its peak memory was read)."""
    from meio.decomposition import DecompositionConfig
    from meio.decomposition.coordinator import Products, worker_specs
    from meio.decomposition.worker import one_blas_thread

    config = DecompositionConfig(workers=args.workers)
    engine = config.pricing_engine()
    with one_blas_thread():
        try:
            specs = worker_specs(instance, engine.partitions(len(instance.products)), instance.integer_stock,
                                 args.backend, config.builder, config.chunk_products, (), None)
            products = Products(engine, specs)
            rows, _ = products.build(instance)
            mu = result.prices["price"].fillna(0.0).to_numpy()
            assert len(mu) == len(rows)
            start = time.perf_counter()
            products.price(mu)
            return {"floor_pass_seconds": time.perf_counter() - start}
        finally:
            engine.stop()


def child(args: argparse.Namespace, instance: Path, run: str, **extra: object) -> dict:
    command = [sys.executable, __file__, "--child", "--instance", str(instance), "--run", run,
               "--backend", args.backend, "--workers", str(args.workers), "--time-limit", str(args.time_limit)]
    for key, value in extra.items():  # an empty value is a flag
        command += [f"--{key.replace('_', '-')}"] + ([str(value)] if value != "" else [])
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        return {"status": "error", "message": done.stderr.strip().splitlines()[-1:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def perturb(source: Path, target: Path, change: float, seed: int, share: float = 1.0) -> Path:
    """A copy of the instance with the demand quantities of a random ``share`` of the products
    scaled by a factor in [1 - change, 1 + change] each (the other products' rows as they were)."""
    target.mkdir(parents=True, exist_ok=True)
    for path in source.iterdir():
        if path.is_file():
            (target / path.name).write_bytes(path.read_bytes())
    demand = pd.read_csv(source / "demand.csv", dtype={"product": str})
    rng = np.random.default_rng(seed)
    products = demand["product"].unique()
    changed = demand["product"].isin(rng.choice(products, round(share * len(products)), replace=False))
    factor = rng.uniform(1.0 - change, 1.0 + change, int(changed.sum()))
    demand["quantity"] = demand["quantity"].astype(float)
    demand.loc[changed, "quantity"] = np.round(demand.loc[changed, "quantity"] * factor, 3)
    demand.to_csv(target / "demand.csv", index=False)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000, 10000])
    parser.add_argument("--out", type=Path, default=Path("benchmarks/out"))
    parser.add_argument("--backend", default="highs")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--extensive-max", type=int, default=1000)
    parser.add_argument("--time-limit", type=float, default=1800.0)
    parser.add_argument("--skip", nargs="*", default=[],
                        choices=["extensive", "stabilized", "shares", "plain", "master_to_optimum", "changed_cold",
                                 "warm"],
                        help="runs to skip (the default run is always made: the floor pass and re-plans use it)")
    parser.add_argument("--changes", type=float, nargs="+", default=[0.05],
                        help="forecast changes to re-plan after (each demand quantity times a factor in [1-c, 1+c])")
    parser.add_argument("--changed-products", type=float, nargs="+", default=[1.0],
                        help="shares of the products whose forecast changes (each with every --changes)")
    parser.add_argument("--seed", type=int, default=None,
                        help="generator seed of every size (default: the size itself; another seed gives "
                             "instances of the family no earlier run has seen)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--instance", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--run", help=argparse.SUPPRESS)
    parser.add_argument("--warm-start", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--write", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--floor", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        measure(args)
        return
    from meio.data.generator import generate_instance

    args.out.mkdir(parents=True, exist_ok=True)
    log = args.out / "results.jsonl"
    for size in args.sizes:
        base = args.out / f"p{size}"
        seed = size if args.seed is None else args.seed
        start = time.perf_counter()
        instance = generate_instance(base / "instance", products=size, nodes=10, zones=30, scenarios=50, seed=seed,
                                     tightness=0.8)
        runs = {"seed": seed, "generate_seconds": time.perf_counter() - start}
        if size <= args.extensive_max and "extensive" not in args.skip:
            runs["extensive"] = child(args, instance, "extensive")
        # the floor pass (at its final prices) and the result a warm re-plan starts from: the default run's
        runs["default"] = child(args, instance, "default", write=base / "cold", floor="")
        if "stabilized" not in args.skip:
            runs["decomposition"] = child(args, instance, "stabilized")
        if "shares" not in args.skip:
            runs["shares"] = child(args, instance, "shares")
        if "plain" not in args.skip:
            runs["plain"] = child(args, instance, "plain")
        if "master_to_optimum" not in args.skip:
            runs["master_to_optimum"] = child(args, instance, "master_to_optimum")
        if "warm" not in args.skip:
            for change, share in itertools.product(args.changes, args.changed_products):
                name = f"{change:g}" if share == 1.0 else f"{change:g}_of_{share:g}"
                changed = perturb(instance, base / f"changed{name}", change, seed=seed + 1, share=share)
                # both as configured by default (capacity shares and clearing prices, which a warm start also runs)
                if "changed_cold" not in args.skip:
                    runs[f"changed_cold_{name}"] = child(args, changed, "default")
                runs[f"changed_warm_{name}"] = child(args, changed, "default", warm_start=base / "cold")
        with log.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps({"products": size, **runs}) + "\n")
        print(json.dumps({"products": size, **runs}), flush=True)


if __name__ == "__main__":
    main()
