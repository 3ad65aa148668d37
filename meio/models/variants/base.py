"""What every built-in variant is: a typed dataclass of its parameters, applied by calling it.

A built-in variant declares its ``name`` and ``formula`` (the text docs/variants.md shows) as
class variables and its parameters as dataclass fields, each with a ``help`` text in its
metadata; :meth:`BuiltinVariant.parameters` reads them back as data (name, type, default).
"""

from __future__ import annotations

import dataclasses
import math
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

import pandas as pd
import pyomo.environ as pyo

from meio.errors import OptionError
from meio.models.build import BuiltModel

#: Marks a parameter without a default (required).
REQUIRED = dataclasses.MISSING


@dataclass(frozen=True)
class Parameter:
    """One parameter of a variant: its name, Python type (float, int, str), default and help."""

    name: str
    kind: type
    default: Any
    optional: bool
    help: str

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def describe(self) -> str:
        """``name`` (type, default) for messages and docs."""
        default = "required" if self.required else f"default {self.default}"
        return f"{self.name} ({self.kind.__name__}, {default})"


def param(help: str, default: Any = REQUIRED) -> Any:
    """A dataclass field of a variant parameter with its ``help`` text."""
    return dataclasses.field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class BuiltinVariant:
    """Base of the built-in variants: subclasses set ``name`` and ``formula`` and implement ``apply``."""

    name: ClassVar[str]
    formula: ClassVar[str]
    summary: ClassVar[str]

    @classmethod
    def parameters(cls) -> list[Parameter]:
        """The variant's parameters, in declaration order."""
        hints = typing.get_type_hints(cls)
        result = []
        for f in dataclasses.fields(cls):
            kinds = [k for k in typing.get_args(hints[f.name]) if k is not type(None)] or [hints[f.name]]
            result.append(Parameter(f.name, kinds[0], f.default, type(None) in typing.get_args(hints[f.name]),
                                    f.metadata["help"]))
        return result

    def record(self) -> dict[str, object]:
        """``{"name": ..., "parameters": {...}}`` as summary.json records it."""
        return {"name": self.name, "parameters": dataclasses.asdict(self)}

    def __str__(self) -> str:
        given = ",".join(f"{k}={v}" for k, v in dataclasses.asdict(self).items() if v is not None)
        return f"{self.name}:{given}" if given else self.name

    def __call__(self, built: BuiltModel) -> None:
        self.apply(built)

    def apply(self, built: BuiltModel) -> None:
        """Add the variant's components to ``built``."""
        raise NotImplementedError

    def fail(self, message: str) -> OptionError:
        """An :class:`OptionError` about this variant."""
        return OptionError(f"variant {self}: {message}")

    def require(self, ok: bool, message: str) -> None:
        """Raise :meth:`fail` unless ``ok``."""
        if not ok:
            raise self.fail(message)

    def check_known(self, value: str | None, known: Iterable[str], what: str) -> None:
        """``value`` (when given) must be one of ``known`` (nodes, kinds, products, categories)."""
        names = sorted(set(known))
        if value is not None and value not in names:
            shown = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
            raise self.fail(f"no {what} '{value}' in the instance ({shown})")

    def check_finite(self, **values: float) -> None:
        """Every value must be a finite number >= 0."""
        for key, value in values.items():
            self.require(math.isfinite(value) and value >= 0, f"{key} must be a finite number >= 0, got {value}")


def pairs(built: BuiltModel) -> pd.DataFrame:
    """The stocking pairs A with each pair's node kind, category, unit cost and volume."""
    instance = built.instance
    table = built.index.y[["product", "node", "on_hand", "unit_cost"]].reset_index(drop=True)
    table["kind"] = instance.nodes.loc[table["node"], "kind"].to_numpy()
    table["category"] = instance.products.loc[table["product"], "category"].to_numpy()
    table["unit_volume"] = instance.products.loc[table["product"], "unit_volume"].to_numpy(float)
    return table


def component_name(built: BuiltModel, base: str) -> str:
    """``base``, or ``base_2``, ``base_3``, ... when the model has that name already (a variant given twice)."""
    name, number = base, 1
    while built.model.component(name) is not None:
        number += 1
        name = f"{base}_{number}"
    return name


def add_rows(built: BuiltModel, base: str, rows: dict[Any, Any]) -> None:
    """Add the constraints ``rows`` (key -> relational expression) as one indexed Constraint."""
    keys = list(rows)
    built.model.add_component(component_name(built, base),
                              pyo.Constraint(keys, rule=lambda m, *key: rows[key[0] if len(key) == 1 else key]))
