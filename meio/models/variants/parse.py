"""``parse_variant("NAME[:key=value,...]")``: a built-in variant with its parameters, or a user's function."""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable

from meio.errors import OptionError
from meio.models.build import ModelVariant
from meio.models.variants.base import BuiltinVariant, Parameter
from meio.models.variants.registry import BUILTIN
from meio.models.variants.user import load_user_variant

#: How a parameter value is read from its text, by type.
_READERS = {float: float, int: int, str: str}


def parse_variant(text: str) -> ModelVariant:
    """The variant ``text`` names: ``NAME[:key=value,...]`` for a built-in one, else
    ``package.module:function`` or ``path/to/file.py:function``. Errors are :class:`OptionError`."""
    text = text.strip()
    name, _, rest = text.partition(":")
    if name in BUILTIN:
        return build_variant(BUILTIN[name], _pairs(name, rest))
    if _is_user_spec(text):
        return load_user_variant(text)
    raise OptionError(f"unknown variant '{name}'{_suggest(name, BUILTIN)} (built-in: {', '.join(BUILTIN)}; or "
                      "package.module:function or path/to/file.py:function)")


def resolve_variants(items: Iterable[ModelVariant | str]) -> list[ModelVariant]:
    """Variants given as objects or as text (:func:`parse_variant`)."""
    return [parse_variant(item) if isinstance(item, str) else item for item in items]


def variant_record(variant: ModelVariant) -> dict[str, object]:
    """``{"name": ..., "parameters": {...}}`` of a variant (a plain function: its qualified name)."""
    record = getattr(variant, "record", None)
    if callable(record):
        return dict(record())
    name = getattr(variant, "__qualname__", None) or type(variant).__name__
    return {"name": f"{getattr(variant, '__module__', '')}:{name}".lstrip(":"), "parameters": {}}


def build_variant(cls: type[BuiltinVariant], given: dict[str, str]) -> BuiltinVariant:
    """An instance of ``cls`` from parameter texts; unknown, ill-typed and missing ones are errors."""
    parameters = {p.name: p for p in cls.parameters()}
    values = {}
    for key, text in given.items():
        if key not in parameters:
            raise OptionError(f"variant {cls.name}: unknown parameter '{key}'{_suggest(key, parameters)} "
                              f"(parameters: {_listing(parameters.values())})")
        values[key] = _read(cls.name, parameters[key], text)
    missing = [p.name for p in parameters.values() if p.required and p.name not in values]
    if missing:
        raise OptionError(f"variant {cls.name}: missing required parameter '{missing[0]}' "
                          f"(parameters: {_listing(parameters.values())}); e.g. --variant {cls.name}:"
                          + ",".join(f"{p.name}=..." for p in parameters.values() if p.required))
    return cls(**values)


def _pairs(name: str, rest: str) -> dict[str, str]:
    given: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in rest.split(","))):
        key, equals, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not equals or not key or not value:
            raise OptionError(f"variant {name}: '{item}' is not key=value (write {name}:key=value,...)")
        if key in given:
            raise OptionError(f"variant {name}: parameter '{key}' given twice")
        given[key] = value
    return given


def _read(variant: str, parameter: Parameter, text: str) -> object:
    try:
        value = _READERS[parameter.kind](text)
    except ValueError:
        article = "an" if parameter.kind is int else "a"
        raise OptionError(f"variant {variant}: parameter '{parameter.name}' must be {article} "
                          f"{parameter.kind.__name__}, got {text!r}") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise OptionError(f"variant {variant}: parameter '{parameter.name}' must be finite, got {text!r}")
    return value


def _is_user_spec(text: str) -> bool:
    """``where:function`` with a ``.py`` file or a dotted module name before the last colon."""
    where, colon, function = text.rpartition(":")
    module = where.endswith(".py") or all(part.isidentifier() for part in where.split("."))
    return bool(colon and where and function.isidentifier() and module)


def _suggest(word: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(known), n=2, cutoff=0.6)
    return f" (did you mean {' or '.join(close)}?)" if close else ""


def _listing(parameters: Iterable[Parameter]) -> str:
    return ", ".join(p.describe() for p in parameters)
