"""The stored reference optimum of an instance: ``reference.toml`` beside its CSV files.

::

    status = "optimal"        # or "infeasible" (then lp = inf)
    lp = 12345.678            # optimum of the LP (integer_stock relaxed)
    mip = 12360.0             # integer_stock instances only: the MIP optimum
    variables = 1234          # size of the extensive form
    constraints = 567
    variants = ["budget:amount=500"]   # model variants the reference model carries, as texts (often none)

Floats are written with ``repr`` (every digit), so reading gives back the computed value.
``variants`` are texts of :func:`meio.models.variants.parse_variant` (what ``--variant`` takes): the
optimum is that of the model with them, and the benchmark solves the member with them.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from pathlib import Path

from meio.errors import MeioError

#: File name of a stored reference, beside the instance's CSV files.
REFERENCE_FILE = "reference.toml"
STATUSES = ("optimal", "infeasible")


@dataclass(frozen=True)
class Reference:
    """An instance's proven optimum: ``lp`` (the relaxation) and, for ``integer_stock``, ``mip``.

    ``variants`` are the model variants the reference model carries, as ``--variant`` texts in
    order (empty for an instance of the formulation alone).
    """

    status: str
    lp: float
    mip: float | None = None
    variables: int = 0
    constraints: int = 0
    variants: tuple[str, ...] = ()

    @property
    def value(self) -> float:
        """The optimum of the instance as stated: the MIP's when it has integer stock, +inf if infeasible."""
        return self.mip if self.mip is not None else self.lp


def read_reference(directory: Path) -> Reference | None:
    """The reference stored in ``directory``, or None when there is none; :class:`MeioError` if malformed."""
    path = Path(directory) / REFERENCE_FILE
    if not path.is_file():
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        reference = Reference(status=str(data["status"]), lp=float(data["lp"]),
                              mip=None if data.get("mip") is None else float(data["mip"]),
                              variables=int(data.get("variables", 0)), constraints=int(data.get("constraints", 0)),
                              variants=tuple(str(v) for v in data.get("variants", [])))
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as error:
        raise MeioError(f"{path}: not a reference file ({type(error).__name__}: {error})") from error
    if reference.status not in STATUSES or (reference.status == "infeasible") != math.isinf(reference.lp):
        raise MeioError(f"{path}: status must be one of {', '.join(STATUSES)}, with lp = inf exactly when infeasible")
    return reference


def write_reference(directory: Path, reference: Reference, header: str) -> Path:
    """Write ``reference`` to ``directory/reference.toml`` under a comment ``header``."""
    lines = [f"# {line}" for line in header.splitlines()]
    lines += [f"status = {_string(reference.status)}", f"lp = {_float(reference.lp)}"]
    if reference.mip is not None:
        lines.append(f"mip = {_float(reference.mip)}")
    lines += [f"variables = {reference.variables}", f"constraints = {reference.constraints}",
              "variants = [" + ", ".join(_string(v) for v in reference.variants) + "]"]
    path = Path(directory) / REFERENCE_FILE
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters (DEL included) escaped."""
    def escape(char: str) -> str:
        if char in '"\\':
            return "\\" + char
        return f"\\u{ord(char):04x}" if ord(char) < 0x20 or ord(char) == 0x7F else char

    return '"' + "".join(escape(char) for char in text) + '"'


def _float(value: float) -> str:
    return ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(float(value))
