"""Named model variants: the built-in ones (see docs/variants.md), user functions, and the parser.

``parse_variant("budget:amount=5000")`` gives a variant that :func:`meio.solve.solve`,
:func:`meio.exact.solve_extensive` and :func:`meio.decomposition.solve_decomposition` apply.
"""

from meio.models.variants.base import BuiltinVariant, Parameter
from meio.models.variants.budget import Budget
from meio.models.variants.category_storage import CategoryStorage
from meio.models.variants.max_stock import MaxStock
from meio.models.variants.min_presence import MinPresence
from meio.models.variants.parse import parse_variant, resolve_variants, variant_record
from meio.models.variants.registry import BUILTIN
from meio.models.variants.salvage import Salvage
from meio.models.variants.user import UserVariant, load_user_variant

__all__ = ["BUILTIN", "Budget", "BuiltinVariant", "CategoryStorage", "MaxStock", "MinPresence", "Parameter",
           "Salvage", "UserVariant", "load_user_variant", "parse_variant", "resolve_variants", "variant_record"]
