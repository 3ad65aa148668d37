"""User variants: a function ``f(built: BuiltModel) -> None`` named ``module:function`` or ``file.py:function``."""

from __future__ import annotations

from dataclasses import dataclass

from meio.errors import OptionError, VariantError
from meio.methods import _module
from meio.models.build import BuiltModel, ModelVariant, check_signature


@dataclass(frozen=True)
class UserVariant:
    """A user's variant function and the spec it was loaded from (its name in summary.json)."""

    spec: str
    function: ModelVariant

    def __call__(self, built: BuiltModel) -> None:
        self.function(built)

    def __str__(self) -> str:
        return self.spec

    def record(self) -> dict[str, object]:
        return {"name": self.spec, "parameters": {}}


def load_user_variant(spec: str) -> UserVariant:
    """The function ``spec`` names; :class:`OptionError` when the file, module or function is missing
    or is not callable."""
    where, _, name = spec.rpartition(":")
    target = getattr(_module(where, "variant"), name, None)
    if target is None:
        raise OptionError(f"variant '{spec}': {where} has no attribute '{name}'")
    if not callable(target):
        raise OptionError(f"variant '{spec}': {name} is not a function (it is a {type(target).__name__})")
    try:
        check_signature(target, spec)
    except VariantError as error:
        raise OptionError(str(error)) from None
    return UserVariant(spec, target)
