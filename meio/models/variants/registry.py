"""The built-in variants by name."""

from __future__ import annotations

from meio.models.variants.base import BuiltinVariant
from meio.models.variants.budget import Budget
from meio.models.variants.category_storage import CategoryStorage
from meio.models.variants.max_stock import MaxStock
from meio.models.variants.min_presence import MinPresence
from meio.models.variants.salvage import Salvage

#: Built-in variant classes by their name (``--variant NAME:...``).
BUILTIN: dict[str, type[BuiltinVariant]] = {cls.name: cls for cls in
                                            (MaxStock, Budget, MinPresence, CategoryStorage, Salvage)}
