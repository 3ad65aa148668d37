"""The algebraic Pyomo model of the two-stage SAA multi-echelon problem (docs/formulation.md)."""

from meio.models.build import BuiltModel, ModelVariant, build_model
from meio.models.linking import LinkingKind, LinkingRow

__all__ = ["BuiltModel", "LinkingKind", "LinkingRow", "ModelVariant", "build_model"]
