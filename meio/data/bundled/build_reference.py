"""Rebuild the bundled ``reference`` suite and its optima: ``python -m meio.data.bundled.build_reference [NAME ...]``.

Each member is a small instance from the generator (:mod:`meio.data.generator`, fixed seeds)
with a few edits that switch one feature of the formulation on or make it bind: a capacity
scaled down, inbound limits, scenario weights, fill-rate targets, integer stock, routes of one
lane only, on-hand stock beyond a node's storage (infeasible); a few also carry cross-product
model variants (``budget``, ``category_storage``, ``max_stock`` by node kind), named as
``--variant`` texts in their ``reference.toml``. Its reference optimum is the extensive form (with
the member's variants) solved on HiGHS and OR-Tools, which must agree to 1e-9 relative
(:mod:`meio.suite.optimum`); a member that claims a binding capacity must show a positive
opportunity cost on it, and each variant of a member must change its optimum (its description
gives the optimum without each). Reruns write identical files.
"""

from __future__ import annotations

import dataclasses
import math
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from meio.data import load_instance
from meio.data.bundled import BUNDLED_DIR
from meio.data.generator import GeneratorConfig, write_instance
from meio.data.instance import Instance
from meio.data.writer import write_instance_dir
from meio.exact import solve_extensive
from meio.models.variants import resolve_variants
from meio.suite.optimum import AGREEMENT, REFERENCE_BACKENDS, agreed_optimum, compute_reference, relative_difference
from meio.suite.reference import write_reference

SUITE_DIR = BUNDLED_DIR / "reference"

#: An edit of a generated instance.
Edit = Callable[[Instance], Instance]


def scale(kind: str, factor: float) -> Edit:
    """Every node's ``kind`` capacity times ``factor`` (rounded up)."""
    def edit(instance: Instance) -> Instance:
        nodes = instance.nodes.copy()
        nodes[f"{kind}_capacity"] = np.ceil(nodes[f"{kind}_capacity"] * factor)
        return dataclasses.replace(instance, nodes=nodes)
    return edit


def inbound(factor: float) -> Edit:
    """Inbound capacity (units bought) at every node: ``factor`` times its throughput capacity."""
    def edit(instance: Instance) -> Instance:
        nodes = instance.nodes.copy()
        nodes["inbound_capacity"] = np.ceil(nodes["throughput_capacity"] * factor)
        return dataclasses.replace(instance, nodes=nodes)
    return edit


def unlimited(instance: Instance) -> Instance:
    """No storage, inbound or throughput limits anywhere."""
    nodes = instance.nodes.copy()
    for kind in ("storage", "inbound", "throughput"):
        nodes[f"{kind}_capacity"] = math.inf
    return dataclasses.replace(instance, nodes=nodes)


def weighted(seed: int) -> Edit:
    """Unequal scenario weights (drawn with ``seed``, normalised)."""
    def edit(instance: Instance) -> Instance:
        weight = np.random.default_rng(seed).uniform(0.2, 3.0, len(instance.scenarios))
        return dataclasses.replace(instance, scenarios=instance.scenarios.assign(weight=weight / weight.sum()))
    return edit


def target(speed: str, fill_rate: float, penalty: float | None = None) -> Edit:
    """A fill-rate target for ``speed`` (and optionally a penalty factor low enough for it to bind)."""
    def edit(instance: Instance) -> Instance:
        speeds = instance.speeds.copy()
        speeds.loc[speed, "fill_rate_target"] = fill_rate
        if penalty is not None:
            speeds.loc[speed, "penalty_factor"] = penalty
        return dataclasses.replace(instance, speeds=speeds)
    return edit


def integer(instance: Instance) -> Instance:
    """Stock in whole units (``integer_stock = true``)."""
    return dataclasses.replace(instance, integer_stock=True)


def direct_only(instance: Instance) -> Instance:
    """Routes of one lane only (``max_route_lanes = 1``): the DC serves no zone through an FC."""
    return dataclasses.replace(instance, max_route_lanes=1)


def no_windows_cutoffs(instance: Instance) -> Instance:
    """No cut-off hours: orders leave as soon as handled."""
    nodes = instance.nodes.copy()
    nodes["cutoff_hour"] = math.nan
    return dataclasses.replace(instance, nodes=nodes)


def overfull(instance: Instance) -> Instance:
    """The node with most on-hand volume gets half that volume as storage: infeasible."""
    stock = instance.inventory.assign(volume=instance.inventory["on_hand"].to_numpy()
                                      * instance.products.loc[instance.inventory["product"], "unit_volume"].to_numpy())
    by_node = stock.groupby("node")["volume"].sum()
    nodes = instance.nodes.copy()
    nodes.loc[by_node.idxmax(), "storage_capacity"] = math.floor(by_node.max() / 2)
    return dataclasses.replace(instance, nodes=nodes)


@dataclass(frozen=True)
class Spec:
    """A suite member: what it tests, the generated instance it starts from and its edits.

    ``binds`` names the linking families (storage, inbound, throughput, service) that must
    show a positive opportunity cost at the LP optimum. ``variants`` are the model variants of the
    reference model (``--variant`` texts), each of which must bind; the build appends to the
    description the optimum with them and without each.
    """

    name: str
    description: str
    config: GeneratorConfig
    edits: tuple[Edit, ...] = ()
    binds: tuple[str, ...] = ()
    variants: tuple[str, ...] = ()


#: How much a member's optimum must change without one of its variants (relative) for the variant to bind.
VARIANT_BINDS = 1e-6


def _config(products: int, nodes: int, zones: int, scenarios: int, seed: int, **knobs: object) -> GeneratorConfig:
    return GeneratorConfig(products=products, nodes=nodes, zones=zones, scenarios=scenarios, seed=seed,
                           **knobs)  # type: ignore[arg-type]


TWO_SPEEDS = ("one_day", "two_day")
SPECS: tuple[Spec, ...] = (
    Spec("single_product", "1 product, 1 DC + 1 FC + 1 same-day site, 3 zones, 8 scenarios; loose capacities",
         _config(1, 3, 3, 8, 101, tightness=3.0)),
    Spec("uncapacitated", "5 products, no capacity at all: each product is a newsvendor over routes",
         _config(5, 4, 4, 8, 102), (unlimited,)),
    Spec("storage_binds", "8 products, storage at 40% of the design load binds",
         _config(8, 4, 5, 8, 103, tightness=2.0), (scale("storage", 0.2),), ("storage",)),
    Spec("throughput_binds", "8 products, throughput at 40% of the design peak binds",
         _config(8, 4, 5, 8, 104, tightness=2.0), (scale("throughput", 0.2), scale("storage", 3.0)),
         ("throughput",)),
    Spec("inbound_binds", "8 products, inbound capacity (units bought per node) binds",
         _config(8, 4, 5, 8, 105, tightness=2.0), (inbound(0.3),), ("inbound",)),
    Spec("all_capacities_bind", "12 products, storage, inbound and throughput all bind",
         _config(12, 5, 6, 8, 106, tightness=1.0), (scale("storage", 0.6), inbound(0.3), scale("throughput", 0.6)),
         ("storage", "inbound", "throughput")),
    Spec("windows_cutoffs", "10 products, three order windows and node cut-offs decide what is on time",
         _config(10, 4, 6, 8, 107, windows=True)),
    Spec("windows_no_cutoffs", "the same network as windows_cutoffs without cut-off hours",
         _config(10, 4, 6, 8, 107, windows=True), (no_windows_cutoffs,)),
    Spec("categories", "20 products, 35% of them large: a same-day site and a non-sortable center accept one "
         "category each", _config(20, 6, 6, 6, 108, nonsort_sites=True, large_share=0.35)),
    Spec("on_hand", "12 products with on-hand stock at about 30% of the pairs (not bought again)",
         _config(12, 4, 5, 8, 109, on_hand=True)),
    Spec("weighted_scenarios", "10 products, 10 scenarios of unequal weights",
         _config(10, 4, 5, 10, 110), (weighted(110),)),
    Spec("fill_rate_target", "10 products, a 75% one-day fill-rate target that binds (low one-day penalty)",
         _config(10, 4, 5, 8, 111, speeds=TWO_SPEEDS, tightness=2.0), (target("one_day", 0.75, penalty=0.2),),
         ("service",)),
    Spec("fill_rate_targets_all", "10 products, targets on every speed with storage binding",
         _config(10, 5, 5, 8, 112),
         (target("same_day", 0.3, 0.3), target("one_day", 0.7, 0.3), target("two_day", 0.8, 0.3),
          scale("storage", 0.9)), ("service", "storage")),
    Spec("integer_stock", "6 products stocked in whole units (MIP) with storage binding",
         _config(6, 4, 4, 6, 113, daily_demand_median=0.3), (integer, scale("storage", 0.5)), ("storage",)),
    Spec("integer_capacities", "10 products in whole units, storage, inbound and a fill-rate target binding",
         _config(10, 4, 5, 6, 114), (integer, scale("storage", 0.7), inbound(0.8), target("two_day", 0.9, 0.3)),
         ("storage", "inbound")),
    Spec("dc_routes", "a DC far from most zones, routes of two lanes through fulfillment centers "
         "(max_route_lanes 2), storage binding at the FCs", _config(15, 4, 8, 8, 115), (scale("storage", 0.5),),
         ("storage",)),
    Spec("direct_only", "the network of dc_routes with routes of one lane only (max_route_lanes 1)",
         _config(15, 4, 8, 8, 115), (scale("storage", 0.5), direct_only), ("storage",)),
    Spec("infeasible_storage", "on-hand stock occupies twice the storage capacity of one node: infeasible",
         _config(6, 4, 4, 6, 116, on_hand=True, daily_demand_median=3.0), (overfull,)),
    Spec("two_speeds_many_scenarios", "20 products, one-day and two-day, 40 scenarios",
         _config(20, 4, 5, 40, 117, speeds=TWO_SPEEDS)),
    Spec("medium_network", "30 products, 8 nodes (DC, FCs, same-day sites), 10 zones, 6 scenarios, "
         "capacities at 70% of the design load", _config(30, 8, 10, 6, 118, tightness=0.7),
         binds=("storage",)),
    Spec("many_products", "200 products on a small network (3 nodes, 3 zones, 4 scenarios), storage binding",
         _config(200, 3, 3, 4, 119, speeds=TWO_SPEEDS), (scale("storage", 0.4),), ("storage",)),
    Spec("budget_binds", "10 products, loose capacities, a total purchase budget of 500 (60% of the spend "
         "without it) binds", _config(10, 4, 5, 8, 120, tightness=3.0), variants=("budget:amount=500",)),
    Spec("category_storage_binds", "12 products, 40% of them large: 150 volume units per node for the large "
         "products binds at the DC", _config(12, 5, 5, 8, 121, large_share=0.4, nonsort_sites=True),
         variants=("category_storage:category=large,capacity=150",)),
    Spec("integer_budget_max_stock", "8 products in whole units (MIP), a purchase budget of 1000 and at most 15 "
         "units of a product at each fulfillment center (max_stock by node kind); both bind",
         _config(8, 4, 4, 6, 122), (integer,), variants=("budget:amount=1000", "max_stock:units=15,kind=fc")),
)


def build_member(spec: Spec, directory: Path) -> None:
    """Write the instance of ``spec`` to ``directory`` and its reference beside it."""
    if directory.exists():
        shutil.rmtree(directory)
    with tempfile.TemporaryDirectory() as scratch:
        generated = load_instance(write_instance(Path(scratch) / spec.name, spec.config))
    instance = dataclasses.replace(generated, name=spec.name, description=spec.description)
    for edit in spec.edits:
        instance = edit(instance)
    write_instance_dir(instance, directory)
    written = load_instance(directory)  # the reference is that of the files as written
    _check_binding(written, spec.binds)
    if spec.variants:  # the description says what each variant changes (the tables stay as written)
        described = f"{spec.description}; {_variants_bind(written, spec.variants)}"
        write_instance_dir(dataclasses.replace(instance, description=described), directory)
    reference = compute_reference(written, spec.variants)
    write_reference(directory, reference, header=(
        f"Reference optimum of {spec.name}: the extensive form{' with its variants' if spec.variants else ''} "
        f"solved by {' and '.join(REFERENCE_BACKENDS)}, "
        f"agreeing to {AGREEMENT:g} relative.\nWritten by python -m meio.data.bundled.build_reference; "
        "tests/test_reference_suite.py recomputes it."))


def _check_binding(instance: Instance, kinds: tuple[str, ...]) -> None:
    """Fail unless every family in ``kinds`` has a row with a positive opportunity cost at the LP optimum."""
    if not kinds:
        return
    prices = solve_extensive(instance, "highs", integer=False).prices
    priced = set(prices.loc[prices["price"] > 1e-9, "kind"])
    missing = set(kinds) - priced
    if missing:
        raise SystemExit(f"{instance.name}: no binding {', '.join(sorted(missing))} constraint")


def _variants_bind(instance: Instance, variants: tuple[str, ...]) -> str:
    """``LP optimum X, without V: Y`` for each of ``variants`` (MIP for integer stock); fail unless
    removing each variant (keeping the others) changes the optimum."""
    integer = instance.integer_stock
    value = agreed_optimum(instance, integer, resolve_variants(variants))
    clauses = [f"{'MIP' if integer else 'LP'} optimum {value:,.2f}"]
    for i, text in enumerate(variants):
        without = agreed_optimum(instance, integer, resolve_variants(variants[:i] + variants[i + 1:]))
        if relative_difference(value, without) <= VARIANT_BINDS:
            raise SystemExit(f"{instance.name}: variant {text} does not bind (optimum {value!r} without it too)")
        clauses.append(f"without {text}: {without:,.2f}")
    return ", ".join(clauses)


def build(directory: Path = SUITE_DIR, names: Sequence[str] = ()) -> Path:
    """Write the members called ``names`` (default: all) to ``directory``; members no longer listed are removed."""
    directory.mkdir(parents=True, exist_ok=True)
    for stale in set(p.name for p in directory.iterdir() if p.is_dir()) - {s.name for s in SPECS}:
        shutil.rmtree(directory / stale)
    unknown = set(names) - {s.name for s in SPECS}
    if unknown:
        raise SystemExit(f"no suite member {', '.join(sorted(unknown))}")
    for spec in SPECS:
        if names and spec.name not in names:
            continue
        build_member(spec, directory / spec.name)
        print(f"wrote {directory / spec.name}")
    return directory


if __name__ == "__main__":
    build(names=sys.argv[1:])
