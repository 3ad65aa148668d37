"""Pricing engines side by side (issue #11): threads, worker processes and Ray actors.

    python benchmarks/engine_scaling.py --sizes 1000 10000 --out benchmarks/out-engines

For each size it generates the instance family of ``decomposition_scaling.py`` (10 nodes,
30 zones, 3 speeds, 50 scenarios, binding capacities), then solves it to 1e-4 once per
engine and worker count, each in a fresh process: mean pricing-pass time, end-to-end time,
coordinator peak memory (the solving process's max RSS, instance loading included) and
each worker's peak memory. Workers load their products from the instance directory.
Rows are appended to ``OUT/engines.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

RUNS = [("threads", 1), ("threads", 2), ("processes", 1), ("processes", 2), ("ray", 1), ("ray", 2)]


def measure(args: argparse.Namespace) -> None:
    """Child process: one solve; one JSON line with its figures."""
    from meio.data import load_instance
    from meio.decomposition import DecompositionConfig, solve_decomposition
    from meio.decomposition.engine import make_engine

    start = time.perf_counter()
    instance = load_instance(args.instance).without_rows()  # as `meio solve`: the workers read the rows
    engine = make_engine(args.engine, args.workers, None)
    result = solve_decomposition(instance, config=DecompositionConfig(
        gap=1e-4, engine=engine, source=args.instance, progress=False, time_limit=args.time_limit))
    details = result.details
    print(json.dumps({
        "engine": args.engine, "workers": args.workers, "status": result.status.value,
        "objective": result.objective, "lower_bound": result.lower_bound, "end_to_end_seconds":
        time.perf_counter() - start, "coordinator_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "solve_seconds": result.seconds,
        **{k: details[k] for k in ("iterations", "pricing_passes", "pricing_pass_seconds", "subproblem_seconds",
                                   "build_seconds", "master_seconds", "share_seconds", "columns", "worker_peak_mb",
                                   "worker_replacements")},
        "convergence": result.tables["convergence"][["iteration", "gap", "seconds"]].round(6).values.tolist(),
    }))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--out", type=Path, default=Path("benchmarks/out-engines"))
    parser.add_argument("--runs", nargs="+", default=[f"{e}:{w}" for e, w in RUNS], help="ENGINE:WORKERS")
    parser.add_argument("--time-limit", type=float, default=3600.0)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--instance", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--engine", help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        measure(args)
        return
    from meio.data.generator import generate_instance

    args.out.mkdir(parents=True, exist_ok=True)
    for size in args.sizes:
        directory = args.out / f"p{size}"
        if not (directory / "demand.csv").exists():
            generate_instance(directory, products=size, nodes=10, zones=30, scenarios=50, seed=size, tightness=0.8)
        for run in args.runs:
            engine, workers = run.split(":")
            load = os.getloadavg()[0]
            done = subprocess.run([sys.executable, __file__, "--child", "--instance", str(directory), "--engine",
                                   engine, "--workers", workers, "--time-limit", str(args.time_limit)],
                                  capture_output=True, text=True)
            row = (json.loads(done.stdout.strip().splitlines()[-1]) if done.returncode == 0
                   else {"engine": engine, "workers": int(workers), "status": "error",
                         "message": done.stderr.strip().splitlines()[-1:]})
            row = {"products": size, "load_before": load, **row}
            with (args.out / "engines.jsonl").open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(row) + "\n")
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
