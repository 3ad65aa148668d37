"""Error types that the CLI turns into one clear message and a non-zero exit code."""

from __future__ import annotations

from dataclasses import dataclass


def python_value(value: object) -> object:
    """``value`` as a plain Python object: a numpy scalar becomes the number, string or bool it holds,
    so that a message quoting it with ``!r`` shows ``-5``, not ``np.int64(-5)``; other values are kept."""
    item = getattr(value, "item", None)
    return item() if callable(item) and getattr(value, "ndim", None) == 0 else value


class MeioError(Exception):
    """Base class of every error meio reports to a user without a traceback.

    ``exit_code`` is the CLI's exit code for it: 2 for bad input or options (the default),
    1 when the input was fine but no plan could be produced (see :class:`SolverError`).
    """

    exit_code = 2


class OptionError(MeioError):
    """An option value out of range, or an option that does not apply to the chosen method."""


class SolverError(MeioError):
    """A solver failed on valid input (numerical failure, unexpected status): no plan, exit code 1."""

    exit_code = 1


@dataclass(frozen=True)
class Violation:
    """One broken rule of an instance: where it is and what is wrong.

    ``line`` is the line number in the file as a text editor shows it (the header
    is line 1, the first data row line 2); ``None`` when the rule is about the
    whole file or a whole column.
    """

    file: str
    message: str
    line: int | None = None
    column: str | None = None
    key: str | None = None  # of instance.toml, which has keys, not columns

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.column is not None:
            where += f", column '{self.column}'"
        if self.key is not None:
            where += f", key '{self.key}'"
        return f"{where}: {self.message}"


class InstanceError(MeioError):
    """An instance breaks one or more rules of the data format (docs/data-format.md); carries every violation found."""

    def __init__(self, violations: list[Violation], instance: str = "") -> None:
        self.violations = list(violations)
        self.instance = instance
        super().__init__(self._format())

    def _format(self, limit: int = 50) -> str:
        head = f"invalid instance {self.instance}" if self.instance else "invalid instance"
        shown = self.violations[:limit]
        lines = [f"{head}: {len(self.violations)} problem(s)"] + [f"  {v}" for v in shown]
        if len(self.violations) > limit:
            lines.append(f"  ... and {len(self.violations) - limit} more")
        return "\n".join(lines)


class InfeasibleError(MeioError):
    """The linking constraints cannot all be met; names the ones that fail (exit code 1)."""

    exit_code = 1


class VariantError(MeioError):
    """A model variant cannot be applied as given (its signature, an error it raised, a nonlinear row, an
    objective of its own), or adds something the decomposition cannot split by product."""
