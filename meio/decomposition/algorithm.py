"""The decomposition loop: Lagrangian bounds from pricing, plans from the restricted master.

Each iteration solves the restricted master (prices mu >= 0 of the linking rows, a plan
and, when its slacks are zero, an upper bound), prices every product at the smoothed
point mu_sep, which gives the Lagrangian lower bound

    L(mu_sep) = sum_p min_{z_p} [c_p z_p + mu_sep . (D_p z_p + e_p)] - mu_sep . b,

and adds the columns whose reduced cost at the master's duals is negative (in phase two,
below -ENTRY_SHARE * gap * |upper| / products). It stops when
(upper - lower) / |upper| <= gap, or at the iteration or time limit, with the best plan
found and the best bound proven.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from meio import diagnose
from meio.data.derived import derive_sets
from meio.data.instance import Instance
from meio.decomposition.config import DecompositionConfig
from meio.decomposition.coordinator import Products, whole_instance, worker_specs
from meio.decomposition.master import MasterSolution, MasterStopped, RestrictedMaster
from meio.decomposition.pricing import Column, PricingPass, ProductLinks, linking_use
from meio.decomposition.progress import ProgressReporter
from meio.decomposition.shares import capacity_shares, clearing_prices
from meio.decomposition.stabilization import WentgesSmoothing
from meio.decomposition.warm_start import BASES_FILE, WARM_FILE, read_prices
from meio.decomposition.worker import one_blas_thread
from meio.errors import InfeasibleError
from meio.model_size import count_model
from meio.models.build import ModelVariant
from meio.models.linking import LinkingKind, LinkingSpec
from meio.results.prices import price_table
from meio.results.result import Result
from meio.solvers import SolveOptions, Termination

#: Largest extensive model (constraint-matrix nonzeros) an infeasible decomposition builds to describe its rows.
DESCRIBE_NONZEROS = 5_000_000
#: Rows the message names when the proof's rows are listed instead.
LISTED_ROWS = 20
#: In phase two a column enters the master only when its reduced cost is below
#: -ENTRY_SHARE * gap * |upper| / products: the columns left out can lower the master's objective
#: by at most ENTRY_SHARE * gap * |upper| together, and each would cost the master a pivot of its own.
ENTRY_SHARE = 0.5
#: A warm start's first pass takes the unchanged products' terms over when more than this share
#: of the products is unchanged; it then skips the share and clearing passes, which need every
#: product's column. With fewer unchanged products it prices them all, as a cold start does: the
#: share pass saves more passes than those few solves cost (measured, docs/performance.md).
TAKE_OVER_SHARE = 0.5
#: Infeasibility is proven when the phase-one Lagrangian exceeds this, relative to max(1, |mu . b|).
PROOF_TOLERANCE = 1e-6


@dataclass
class Bounds:
    """Best proven lower bound, best feasible plan (its master weights) and the history."""

    lower: float = -math.inf
    upper: float = math.inf
    weights: np.ndarray | None = None
    history: list[tuple[int, float, float, float, float, int, float]] = field(default_factory=list)

    def offer(self, cost: float, weights: np.ndarray | None) -> bool:
        """Keep the plan of these master ``weights`` if it is cheaper than the best; whether it was."""
        if weights is None or not cost < self.upper:
            return False
        self.upper, self.weights = cost, weights.copy()
        return True

    def enough(self, gap: float) -> float | None:
        """A plan cost that is within ``gap`` of the lower bound (``lower * (1 + gap)``: its gap is
        ``gap * lower / upper``); None while the bound is not positive."""
        return self.lower * (1.0 + gap) if math.isfinite(self.lower) and self.lower > 0.0 else None

    def gap(self) -> float:
        if math.isinf(self.upper) or math.isinf(self.lower):
            return math.inf
        return max(0.0, self.upper - self.lower) / max(abs(self.upper), 1e-9)

    def record(self, iteration: int, start: float, columns: int, alpha: float) -> None:
        self.history.append((iteration, self.lower, self.upper, self.gap(), time.perf_counter() - start,
                             columns, alpha))


def solve_decomposition(instance: Instance, backend: str = "highs", options: SolveOptions | None = None, *,
                        integer: bool | None = None, variants: Sequence[ModelVariant] = (),
                        config: DecompositionConfig | None = None) -> Result:
    """Solve the model of docs/formulation.md (with any model ``variants``) by Lagrangian relaxation and a Dantzig-Wolfe
    capacity master over per-product subproblems; same arguments as ``solve_extensive``."""
    config, options = config or DecompositionConfig(), options or SolveOptions()
    integer = instance.integer_stock if integer is None else integer
    start = time.perf_counter()
    config.check_variants(bool(variants))
    config.check_backend(backend)
    if variants:  # one chunk: the subproblems' positions refer to the whole model's index
        config = dataclasses.replace(config, chunk_products=max(1, len(instance.products)))
    engine = config.pricing_engine()
    partitions = 1 if variants else engine.partitions(len(instance.products))
    reporter = ProgressReporter(config.progress, workers=f"{partitions} {engine.name}")
    with one_blas_thread():  # the coordinator and in-process workers, for this solve only
        try:
            reporter.phase(f"building {len(instance.products):,} subproblems", time.perf_counter() - start)
            products = Products(engine, worker_specs(instance, partitions, integer, backend, config.builder,
                                                     config.chunk_products, variants, config.source))
            rows, links = products.build(instance)
            build_seconds = time.perf_counter() - start
            try:
                result = _run(instance, backend, options, config, variants, rows, links, products, start,
                              build_seconds, reporter)
            except InfeasibleError as error:  # a product's own rows cannot be met
                result = Result.without_plan(Termination.INFEASIBLE, "decomposition", backend, instance.name,
                                             str(error), time.perf_counter() - start)
            result.details["subproblem_builder"] = config.builder
            result.details["variant_linking_constraints"] = sum(row.kind is LinkingKind.VARIANT for row in rows)
            result.details.update(engine=engine.name, workers=engine.workers, worker_replacements=engine.replacements,
                                  master_solver=config.master_algorithm(backend))
            return result
        finally:
            reporter.close()
            engine.stop()


@dataclass
class Counters:
    """Time and pass counts for summary.json."""

    build_seconds: float
    pricing_seconds: float = 0.0
    passes: int = 0
    last_pass: float = 0.0
    full_pass: float = 0.0  # the last pass's time scaled to every product (what the next pass will take)
    iterations: int = 0

    share_seconds: float = 0.0
    clearing_pass: bool = False  # whether a pass at the clearing prices ran
    proof: float = math.nan  # the phase-one Lagrangian that proved infeasibility

    def time_for_pass(self, deadline: float | None) -> bool:
        """Whether a pricing pass as long as the last one (scaled to every product) ends before
        ``deadline`` (a pass is not interrupted: one that would end past it is not started)."""
        return deadline is None or time.perf_counter() + self.full_pass < deadline

    def add(self, priced: PricingPass) -> None:
        self.pricing_seconds += priced.seconds
        self.passes += 1
        self.last_pass = priced.seconds
        # a pass that took terms over solved only some products: a full pass takes longer
        solved = len(priced.values) - priced.reused
        if solved:
            self.full_pass = priced.seconds * len(priced.values) / solved

    def add_shares(self, products: Products, priced: PricingPass, links: list[ProductLinks], capacity: np.ndarray,
                   master: RestrictedMaster, clearing: bool) -> tuple[list[Column], np.ndarray | None]:
        """The capacity-share pass after ``priced`` (see :mod:`meio.decomposition.shares`): its
        columns go to the master; the share plan (each product's share column, else its column
        of ``priced``), which usually meets every linking row, is returned with the clearing
        prices of the shares' marginal values (if ``clearing``, else None)."""
        start = time.perf_counter()
        caps = capacity_shares(priced.columns, links, capacity)
        shares, marginal = products.within_caps(caps, priced.mu)
        master.add(shares)
        prices = clearing_prices(priced.columns, caps, marginal, links, capacity, priced.mu) if clearing else None
        self.share_seconds += time.perf_counter() - start
        plan = {column.product: column for column in priced.columns} | {column.product: column for column in shares}
        return list(plan.values()), prices


def _run(instance: Instance, backend: str, options: SolveOptions, config: DecompositionConfig,
         variants: Sequence[ModelVariant], rows: list[LinkingSpec], links: list[ProductLinks], products: Products,
         start: float, build_seconds: float, reporter: ProgressReporter) -> Result:
    capacity = np.array([row.capacity for row in rows], dtype=float)
    time_limit = config.time_limit if config.time_limit is not None else options.time_limit
    deadline = None if time_limit is None else start + time_limit
    master = RestrictedMaster(rows, links, backend, config.master_algorithm(backend))
    if reporter.active:  # a master solve of minutes (100,000 products) shows its iterations
        master.watch(lambda state: reporter.busy(f"master solve: {state}", time.perf_counter() - start))
    stored = None if config.warm_start is None else read_prices(config.warm_start, rows)
    mu = np.zeros(len(rows)) if stored is None else stored.mu
    warm_bases = 0 if config.warm_start is None else products.warm_start(config.warm_start)
    smoothing = WentgesSmoothing(config.stabilization, config.alpha)
    counters = Counters(build_seconds)
    reporter.phase(f"first pricing pass over {len(links):,} products", time.perf_counter() - start)
    take_over = config.warm_start is not None and products.reusable(mu) > TAKE_OVER_SHARE * len(links)
    first = products.price_warm(mu) if take_over else products.price(mu)
    counters.add(first)
    if first.reused:  # no subgradient: the products that took their terms over have no column
        smoothing.offer(mu, lagrangian(first, capacity), first.values)
    else:
        smoothing.record(mu, lagrangian(first, capacity), first.values, subgradient(first, links, capacity), mu,
                         True)
    master.add(products.zero_stock(), keep=True)
    master.add(first.columns)
    previous = [] if config.warm_start is None else products.previous_plans(mu)
    master.add(previous)
    # after a warm start too (at the previous prices the shares bind little), unless the previous
    # plan already closes the gap (an unchanged instance: the run then stops after one pass) or
    # some products took their terms over (the shares need every product's column): the
    # previous plan is then a plan of the master, whose first solve mixes it with the new columns
    plans = [previous]
    if config.capacity_shares and not first.reused and counters.time_for_pass(deadline) \
            and not _closes_gap(previous, master, smoothing.best, config.gap):
        reporter.phase(f"capacity-share pass   lower {smoothing.best:,.4f}", time.perf_counter() - start)
        plan, clearing = counters.add_shares(products, first, links, capacity, master, config.clearing_prices)
        plans.append(plan)
        # one pass at prices close to the optimum
        if clearing is not None and (clearing > mu).any() and counters.time_for_pass(deadline):
            reporter.phase("pricing pass at the clearing prices", time.perf_counter() - start)
            priced = products.price(clearing)
            counters.add(priced)
            counters.clearing_pass = True
            smoothing.offer(clearing, lagrangian(priced, capacity), priced.values)
            master.add(priced.columns)
    bounds = Bounds(lower=smoothing.best)
    for plan in plans:  # a plan before the first master solve, if the share or the previous plan meets every row
        bounds.offer(sum(column.cost for column in plan), master.plan_weights(plan))
    bounds.record(0, start, master.size, smoothing.alpha)
    reporter.phase(f"first restricted master solve ({master.size:,} columns)   lower {bounds.lower:,.4f}",
                   time.perf_counter() - start)
    termination, solution = _iterate(config, products, master, smoothing, bounds, counters, capacity, start,
                                     deadline, reporter)
    read_out = time.perf_counter()
    if bounds.history[-1][1:3] != (bounds.lower, bounds.upper):  # the last master solve improved the plan
        bounds.record(counters.iterations, start, master.size, smoothing.alpha)
    integer = any(link.integer for link in links)
    result = Result(termination=termination, objective=math.nan, lower_bound=bounds.lower, method="decomposition",
                    backend=backend, seconds=0.0, instance=instance.name,
                    details=_details(counters, master, config, len(rows)))
    if stored is not None:
        result.details.update(warm_start_bases=warm_bases, warm_start_reused_products=first.reused,
                              warm_start_matched_rows=stored.matched, warm_start_instance=stored.instance)
    bases = products.bases_writer()
    if bases is not None:
        result.arrays[BASES_FILE.removesuffix(".npz")] = bases
    if bounds.weights is not None:
        result.arrays[WARM_FILE.removesuffix(".npz")] = products.plans_writer(
            master.columns, bounds.weights, rows, smoothing.center, smoothing.center_values)
    result.tables["convergence"] = pd.DataFrame(
        bounds.history, columns=["iteration", "lower_bound", "upper_bound", "gap", "seconds", "columns", "alpha"])
    best = smoothing.center if smoothing.center is not None else mu
    prices = _reported_prices(solution, best, bool(first.reused) and counters.passes == 1)
    if termination is Termination.INFEASIBLE:
        assert solution is not None, "infeasibility is proven at a phase-one master's prices"
        result.lower_bound = math.inf  # proven: no plan, the optimum is +inf
        result.details["phase_one_bound"] = counters.proof
        left = dataclasses.replace(options, time_limit=time_limit).remaining(time.perf_counter() - start)
        result.message = _infeasibility_message(whole_instance(instance, config.source), left, variants, rows,
                                                solution.mu)
    elif termination is Termination.NUMERICAL_FAILURE:
        result.message = ("phase one could neither meet the linking rows nor prove them infeasible: the instance "
                          "is at the edge of feasibility (within the solvers' tolerances); try --method extensive")
    elif integer:
        _integer_plan(result, master, products, bounds, prices, config)
    elif bounds.weights is not None:
        result.objective = bounds.upper
    if bounds.weights is not None and not math.isnan(result.objective):
        fill_result(result, instance, master, products, bounds.weights, prices)
    elif termination.limit and solution is None:
        result.message = ("no plan yet: the time limit came before the first restricted master solve ended (the "
                          "lower bound of the first pricing pass is proven); raise the limit")
    elif termination.limit:
        result.message = result.message or ("no plan meets every linking row yet: the limit stopped phase one "
                                            "(the lower bound is still proven); raise the limit")
    result.details["worker_peak_mb"] = products.peak_mb()  # after the exports and the read-out, which add to it
    result.seconds = time.perf_counter() - start
    result.details["read_out_seconds"] = round(time.perf_counter() - read_out, 6)
    return result


def _reported_prices(solution: MasterSolution | None, best: np.ndarray, taken_over_only: bool) -> np.ndarray:
    """The prices of prices.csv: the phase-two master's duals, or the best bound's prices ``best``
    when there are none (a run stopped before its first master solve, a solve stopped at a plan
    within the gap) or when they say nothing (``taken_over_only``: the run ended at its first master
    solve after a warm start's first pass took products' terms over, so the master held only their
    previous plans, one column each, whose duals are arbitrary: all zero on an unchanged instance)."""
    if solution is None or solution.phase_one or not solution.optimal or taken_over_only:
        return best
    return solution.mu


def _infeasibility_message(instance: Instance, options: SolveOptions,
                           variants: Sequence[ModelVariant], rows: list[LinkingSpec], mu: np.ndarray) -> str:
    """The extensive form's message (rows and shortfalls of the canonical least violation, see
    :mod:`meio.diagnose`) while its elastic model is small enough to build; else the rows the
    proof prices."""
    size = count_model(instance, derive_sets(instance)).nonzeros
    if size <= DESCRIBE_NONZEROS:
        with options.status_line().step("infeasible: finding the constraints that conflict"):
            return diagnose.explain_infeasibility(instance, options, variants)
    priced = [row.label for row, price in zip(rows, mu) if price > 0.0]
    named = ", ".join(priced[:LISTED_ROWS]) + (f" and {len(priced) - LISTED_ROWS} more" if len(priced) > LISTED_ROWS
                                                else "")
    return (f"the linking constraints cannot all be met (proven by the decomposition's phase one); its proof "
            f"prices {len(priced)} rows: {named}. The rows' shortfalls are found on the extensive elastic model, here "
            f"{size:,} nonzeros, more than the {DESCRIBE_NONZEROS:,} this run builds: run `meio solve "
            "--method extensive` for them")


def _iterate(config: DecompositionConfig, products: Products, master: RestrictedMaster,
             smoothing: WentgesSmoothing, bounds: Bounds, counters: Counters, capacity: np.ndarray,
             start: float, deadline: float | None,
             reporter: ProgressReporter) -> tuple[Termination, MasterSolution | None]:
    """Phase one until the columns meet every linking row (or prove they cannot), then master,
    pricing at the smoothed point and new columns until the gap or a limit; the last master
    solution (None if the time limit stopped the first master solve)."""
    integer = any(link.integer for link in master.subproblems)
    termination, solution = Termination.ITERATION_LIMIT, None
    alpha = smoothing.alpha  # the smoothing weight of the last pricing
    try:
        solution = master.solve(deadline)
        for iteration in range(1, config.max_iterations + 1):
            counters.iterations = iteration
            found = False
            if master.phase_one and solution.feasible:  # its weights are a plan already: one to stop with
                found = bounds.offer(master.cost(solution.weights), solution.weights)
                master.start_phase_two()
                solution = master.solve(deadline)
            found = (not solution.phase_one and bounds.offer(solution.objective, solution.weights)) or found
            if found:
                bounds.record(iteration - 1, start, master.size, alpha)  # when the plan was found
            if bounds.gap() <= config.gap:
                return Termination.OPTIMAL, solution
            if not solution.optimal:  # stopped within ``enough``, yet the gap is open: on to the prices
                solution = master.solve(deadline)
            if not counters.time_for_pass(deadline):  # a pass would not end before the deadline
                return Termination.TIME_LIMIT, solution
            if master.phase_one:
                termination = _phase_one_step(products, master, solution, counters, capacity)
                reporter.update(iteration, bounds.lower, bounds.upper, bounds.gap(), time.perf_counter() - start,
                                counters.last_pass)
                if termination is not Termination.ITERATION_LIMIT:
                    return termination, solution
                solution = master.solve(deadline)
                continue
            mu_sep, alpha = smoothing.separation_point(solution.mu)
            priced = products.price(mu_sep)
            counters.add(priced)
            bound = lagrangian(priced, capacity)
            bounds.lower = max(bounds.lower, bound)
            least = _entry_threshold(config.gap, bounds.upper, len(master.subproblems), integer)
            new = _entering(products, master, priced, solution, least)
            smoothing.record(mu_sep, bound, priced.values, subgradient(priced, master.subproblems, capacity),
                             solution.mu, bool(new))
            back = master.reentering(solution, least)
            master.add(new)
            master.restore(back)
            bounds.record(iteration, start, master.size, alpha)
            reporter.update(iteration, bounds.lower, bounds.upper, bounds.gap(), time.perf_counter() - start,
                            counters.last_pass)
            converged = not new and not len(back) and alpha == 0.0
            solution = master.solve(deadline, bounds.enough(config.gap)
                                    if config.stop_master_within_gap and not integer else None)
            if integer and converged:
                return Termination.OPTIMAL, solution
        return termination, solution
    except MasterStopped:  # the best plan so far and the bound stand
        return Termination.TIME_LIMIT, solution


def _entering(products: Products, master: RestrictedMaster, priced: PricingPass, solution: MasterSolution,
              least: float = 0.0) -> list[Column]:
    """The columns of ``priced`` that enter the master (see :meth:`RestrictedMaster.entering`); the
    workers forget the others' solution vectors."""
    new = master.entering(priced.columns, solution, least)
    entered = {id(column) for column in new}
    products.forget([column for column in priced.columns if id(column) not in entered])
    return new


def _closes_gap(plan: list[Column], master: RestrictedMaster, lower: float, gap: float) -> bool:
    """Whether ``plan``, one column per product, meets every linking row of ``master`` with a
    cost within ``gap`` of ``lower``."""
    if master.plan_weights(plan) is None:
        return False
    return Bounds(lower=lower, upper=sum(column.cost for column in plan)).gap() <= gap


def _entry_threshold(gap: float, upper: float, products: int, integer: bool) -> float:
    """How far below zero a column's reduced cost must be to enter (see ``ENTRY_SHARE``); 0 for
    integer stock, whose restricted master is converged exactly before its integer plan is chosen."""
    if integer or gap == 0.0 or not math.isfinite(upper):
        return 0.0
    return ENTRY_SHARE * gap * abs(upper) / products


def _phase_one_step(products: Products, master: RestrictedMaster, solution: MasterSolution, counters: Counters,
                    capacity: np.ndarray) -> Termination:
    """One phase-one pricing at the master's prices (0 <= mu_i <= 1 / scale_i): ``INFEASIBLE``
    as soon as the phase-one Lagrangian L1(mu) = sum_p min_z mu . (D_p z + e_p) - mu . b, a
    lower bound on the least total scaled violation at any such mu, is positive (long before
    column generation would close on the least violation); otherwise new columns are added
    and it is ``ITERATION_LIMIT`` (go on), or ``NUMERICAL_FAILURE`` when no column prices out
    (neither feasibility nor a proof can be reached)."""
    priced = products.price(solution.mu, phase_one=True)
    counters.add(priced)
    proof = lagrangian(priced, capacity)
    if proof > PROOF_TOLERANCE * max(1.0, abs(float(solution.mu @ capacity))):
        counters.proof = proof
        return Termination.INFEASIBLE
    new, back = _entering(products, master, priced, solution), master.reentering(solution)
    master.add(new)
    master.restore(back)
    return Termination.ITERATION_LIMIT if new or len(back) else Termination.NUMERICAL_FAILURE


def _details(counters: Counters, master: RestrictedMaster, config: DecompositionConfig,
             rows: int) -> dict[str, object]:
    return {"iterations": counters.iterations, "columns": master.size, "pricing_passes": counters.passes,
            "build_seconds": round(counters.build_seconds, 6), "master_seconds": round(master.seconds, 6),
            "subproblem_seconds": round(counters.pricing_seconds, 6),
            "share_seconds": round(counters.share_seconds, 6), "clearing_pass": counters.clearing_pass,
            "pricing_pass_seconds": round(counters.pricing_seconds / counters.passes, 6),
            "last_pricing_pass_seconds": round(counters.last_pass, 6),
            "stabilization": config.stabilization, "products": len(master.subproblems), "linking_constraints": rows,
            "live_linking_constraints": int(master.live.sum()), "master_early_stops": master.early_stops}


def _integer_plan(result: Result, master: RestrictedMaster, products: Products, bounds: Bounds,
                  mu: np.ndarray, config: DecompositionConfig) -> None:
    """integer_stock: choose one integer column per product (integer restricted master); if none
    fits, repair: add each product's column with the LP plan's stock rounded down (re-solved at
    the final prices) and choose again."""
    weights = master.integer_plan(config.integer_time_limit)
    if weights is None and bounds.weights is not None:
        master.add(products.rounded_stock(master.columns, bounds.weights, mu))
        weights = master.integer_plan(config.integer_time_limit)
    if weights is None:
        bounds.weights = None
        result.message = "the integer heuristic found no feasible plan over the generated columns"
        return
    bounds.weights = weights
    result.objective = float(np.dot(weights, [c.cost for c in master.columns]))
    if result.termination is Termination.OPTIMAL and result.gap > config.gap:
        result.termination = Termination.COMPLETED  # the heuristic plan does not close the gap


def lagrangian(priced: PricingPass, capacity: np.ndarray) -> float:
    """L(mu) = sum_p v_p(mu) - mu . b, a lower bound on the optimum for any mu >= 0."""
    return float(priced.values.sum() - priced.mu @ capacity)


def subgradient(priced: PricingPass, subproblems: list[ProductLinks], capacity: np.ndarray) -> np.ndarray:
    """sum_p (D_p z_p + e_p) - b at the pricing solutions: a subgradient of L at mu."""
    return linking_use(priced.columns, subproblems, len(capacity)) - capacity


def fill_result(result: Result, instance: Instance, master: RestrictedMaster, products: Products,
                weights: np.ndarray, mu: np.ndarray) -> None:
    """Costs, fill rates and tables of the plan sum_k lambda_k z_k (read out by the workers, chunk by
    chunk, with the extensive solve's helpers) and the prices ``mu`` of the linking rows."""
    products.totals(instance, master.columns, weights).fill(result)
    result.prices = price_table(master.rows, master.use(weights), mu)
