"""The recipe that assembles the two-stage SAA model of SPEC §3 from its component groups."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pyomo.environ as pyo

from meio.data.derived import DerivedSets, derive_sets
from meio.data.instance import Instance
from meio.models.index import ModelIndex, model_index
from meio.models.linking import LinkingRow, declare_linking
from meio.models.objective import declare_costs
from meio.models.per_product import declare_availability, declare_demand
from meio.models.variables import declare_shipments, declare_stock, declare_unmet


@dataclass(frozen=True, eq=False)
class BuiltModel:
    """A Pyomo model with what is needed to read it: its instance, sets, index and linking rows."""

    model: pyo.ConcreteModel
    instance: Instance
    sets: DerivedSets
    index: ModelIndex
    linking: list[LinkingRow]
    integer: bool


#: A model variant adds components to a built model (e.g. a per-product maximum stock).
ModelVariant = Callable[[BuiltModel], None]


def build_model(instance: Instance, *, integer: bool | None = None, sets: DerivedSets | None = None,
                with_linking: bool = True, variants: Sequence[ModelVariant] = ()) -> BuiltModel:
    """Build the extensive-form SAA model (SPEC §3), then apply ``variants`` in order.

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
        variant(built)
    return built
