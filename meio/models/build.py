"""The recipe that assembles the two-stage SAA model of docs/formulation.md from its component groups."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyomo.environ as pyo

from meio.data.derived import DerivedSets, derive_sets
from meio.data.instance import Instance
from meio.errors import MeioError, VariantError
from meio.models.index import ModelIndex, model_index
from meio.models.linking import LinkingRow, declare_linking
from meio.models.objective import declare_costs, declare_purchase_cost
from meio.models.per_product import declare_availability, declare_demand
from meio.models.variables import declare_shipments, declare_stock, declare_unmet


@dataclass(frozen=True, eq=False)
class BuiltModel:
    """A Pyomo model with what is needed to read it: its instance, sets, index and linking rows.

    ``costs`` are the cost terms model variants added with :meth:`add_cost`. ``complete`` is
    False for the *variant skeleton* (:func:`build_variant_skeleton`): the variables, sets and
    parameters of docs/formulation.md without its constraints and objective, on which the decomposition
    applies variants to read what they add. ``origins`` names the variant that added each component.
    """

    model: pyo.ConcreteModel
    instance: Instance
    sets: DerivedSets
    index: ModelIndex
    linking: list[LinkingRow]
    integer: bool
    costs: list[pyo.Expression] = field(default_factory=list)
    complete: bool = True
    origins: dict[str, str] = field(default_factory=dict)

    def add_cost(self, name: str, expression: Any) -> None:
        """Add a linear cost term to the objective (how a variant changes the objective): the
        objective is the formulation's expected cost plus every added term, each kept as the Expression
        ``model.<name>`` so that the decomposition can split it by product."""
        term = pyo.Expression(expr=expression, doc="cost term added by a model variant")
        self.model.add_component(name, term)
        self.costs.append(term)
        if self.complete:
            self.model.cost.set_value(self.model.cost.expr + term)


#: A model variant adds components to a built model: constraints over ``model.y``, ``model.x``,
#: ``model.u`` (and variables of its own), cost terms through :meth:`BuiltModel.add_cost`. It
#: reads the model's variables, sets (``A``, ``X``, ``D``) and parameters (``on_hand``, ``d``),
#: ``built.index`` and ``built.instance``, and never changes or removes the formulation's components.
ModelVariant = Callable[[BuiltModel], None]


def build_model(instance: Instance, *, integer: bool | None = None, sets: DerivedSets | None = None,
                with_linking: bool = True, variants: Sequence[ModelVariant] = ()) -> BuiltModel:
    """Build the extensive-form SAA model (docs/formulation.md), then apply ``variants`` in order.

    ``integer`` overrides the instance's ``integer_stock``; ``with_linking=False`` leaves
    out the Block of product-linking constraints (the problem then splits by product).
    A variant that adds per-product constraints keeps the problem decomposable; every
    method applies the same variants, so they solve the same model.
    """
    integer = instance.integer_stock if integer is None else integer
    sets = derive_sets(instance) if sets is None else sets
    index = model_index(instance, sets)
    model = pyo.ConcreteModel(name=instance.name or "meio")
    declare_stock(model, index, integer)
    declare_shipments(model, index)
    declare_unmet(model, index)
    declare_availability(model, index)
    declare_demand(model, index)
    linking = declare_linking(model, instance, index) if with_linking else []
    declare_costs(model, index)
    built = BuiltModel(model=model, instance=instance, sets=sets, index=index, linking=linking, integer=integer)
    for variant in variants:
        apply_variant(built, variant)
    return built


def build_variant_skeleton(instance: Instance, sets: DerivedSets, index: ModelIndex, integer: bool,
                           variants: Sequence[ModelVariant]) -> BuiltModel:
    """the formulation's variables, sets and parameters without its constraints and objective, with
    ``variants`` applied: every constraint and variable on it is a variant's. Shipment and
    unmet variables are created only when a variant uses them (sparse), so this costs
    milliseconds where the full model costs seconds per thousand products."""
    model = _Skeleton(name=instance.name or "meio")
    model.__dict__["variant_index"] = index  # for purchase_cost, declared on first use
    declare_stock(model, index, integer)
    declare_shipments(model, index, sparse=True)
    declare_unmet(model, index, sparse=True)
    built = BuiltModel(model=model, instance=instance, sets=sets, index=index, linking=_SkeletonLinking(),
                       integer=integer, complete=False)
    for variant in variants:
        apply_variant(built, variant)
    return built


def variant_name(variant: ModelVariant) -> str:
    """How messages name a variant: its text (``budget:amount=5``, ``file.py:f``) or its function's name."""
    if hasattr(variant, "record"):
        return str(variant)
    name = getattr(variant, "__qualname__", None)
    module = getattr(variant, "__module__", None)
    return f"{module}:{name}" if name and module else (name or repr(variant))


def check_signature(variant: Callable[..., object], name: str) -> None:
    """A :class:`VariantError` unless ``variant`` can be called as ``variant(built)``."""
    try:
        signature = inspect.signature(variant)
    except (TypeError, ValueError):  # a builtin without a signature: calling it tells
        return
    try:
        signature.bind(None)
    except TypeError:
        raise VariantError(f"variant {name} must take one argument, the built model (f(built) -> None); "
                           f"its signature is {signature}") from None


def apply_variant(built: BuiltModel, variant: ModelVariant) -> None:
    """Apply one variant to ``built``; whatever goes wrong is one :class:`VariantError` naming the
    variant (and the component): a wrong signature, an error the variant raised, an objective of its
    own, and, on a complete model, a nonlinear row or cost term (the LP solvers need linear ones; the
    decomposition checks the skeleton's rows as it reads them, naming the variant from ``built.origins``)."""
    name = variant_name(variant)
    check_signature(variant, name)
    model = built.model
    before, costs = set(model.component_map()), len(built.costs)
    try:
        variant(built)
    except VariantError as error:
        raise VariantError(f"variant {name}: {error}") from None
    except MeioError:
        raise  # a built-in variant's own message (it names the variant)
    except Exception as error:
        raise VariantError(f"variant {name} failed: {type(error).__name__}: {error}") from error
    added = [component for key, component in model.component_map().items() if key not in before]
    for component in added:
        if isinstance(component, pyo.Objective):
            raise VariantError(f"variant {name} declares the objective {component.name}: change the objective "
                               "with built.add_cost(name, expression), which every method honours")
    built.origins.update({component.local_name: name for component in added})
    if not built.complete:
        return  # the decomposition checks the skeleton's rows as it reads them (and names the variant)
    for component in added:
        if isinstance(component, pyo.Constraint):
            for row in component.values():
                if row.body.polynomial_degree() not in (0, 1):
                    raise VariantError(f"variant {name}: constraint {row.name} is not linear: the LP solvers "
                                       "need linear constraints and costs")
    for term in built.costs[costs:]:
        degree = term.expr.polynomial_degree() if hasattr(term.expr, "polynomial_degree") else 0
        if degree not in (0, 1):
            raise VariantError(f"variant {name}: cost term {term.name} is not linear: the LP solvers need "
                               "linear constraints and costs")


#: Components of the complete model that the variant skeleton does not have (the formulation's
#: constraints and costs), and ``purchase_cost``, which it declares when a variant first reads it.
COMPLETE_ONLY = ("availability", "demand", "linking", "holding_cost", "shipping_cost", "lost_sales_cost", "cost")


class _Skeleton(pyo.ConcreteModel):
    """The variant skeleton's model: ``purchase_cost`` (over stock only) is declared on first use; the
    formulation's constraints and other costs, which it leaves out, are a :class:`VariantError`
    naming them instead of an AttributeError."""

    def __getattr__(self, name: str) -> Any:
        if name == "purchase_cost" and "variant_index" in self.__dict__:
            declare_purchase_cost(self, self.__dict__["variant_index"])
            return self.component("purchase_cost")
        if name in COMPLETE_ONLY:
            raise VariantError(f"it reads model.{name}, which the decomposition does not build on the model "
                               "it reads variants from (only y, x, u, their sets, on_hand, d and purchase_cost): "
                               "solve it with --method extensive")
        return super().__getattr__(name)


class _SkeletonLinking(list[LinkingRow]):
    """``built.linking`` of the variant skeleton, which has no linking rows: reading it is an error."""

    def _refuse(self, *args: object, **kwargs: object) -> Any:
        raise VariantError("it reads built.linking, which the decomposition does not build on the model it "
                           "reads variants from (it prices those rows itself): solve it with --method extensive")

    __iter__ = __len__ = __getitem__ = __bool__ = __contains__ = _refuse
