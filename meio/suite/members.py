"""A suite: a folder of instance folders, each optionally with its stored reference.

It is a bundled suite by name (``reference``) or any directory. Members of a bundled suite
are named ``SUITE/MEMBER`` (loadable by that name everywhere); those of a directory by their
folder's name.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from meio.data.bundled import BUNDLED_DIR, bundled_suites
from meio.errors import MeioError
from meio.suite.reference import Reference, read_reference


@dataclass(frozen=True)
class Member:
    """One instance of a suite: its name, its folder and its stored reference (None if none)."""

    name: str
    path: Path
    reference: Reference | None


def suite_members(suite: str | Path) -> list[Member]:
    """The members of a bundled suite (by name) or of a directory of instance directories, by name."""
    path = Path(suite)
    if not path.is_dir() and isinstance(suite, str) and suite in bundled_suites():
        return _members(BUNDLED_DIR / suite, prefix=f"{suite}/")
    if not path.is_dir():
        raise MeioError(f"no suite '{suite}': give a bundled suite ({', '.join(bundled_suites()) or 'none'}) "
                        "or a directory of instance directories")
    members = _members(path, prefix="")
    if not members:
        raise MeioError(f"{path} holds no instance directories (folders with products.csv)")
    return members


def _members(folder: Path, prefix: str) -> list[Member]:
    return [Member(f"{prefix}{p.name}", p, read_reference(p))
            for p in sorted(folder.iterdir()) if (p / "products.csv").is_file()]
