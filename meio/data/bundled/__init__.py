"""Instances shipped with meio, usable by name wherever a path is expected (``meio solve tiny``).

Besides single instances (``tiny``, ``demo``), a *suite* is a folder of instance folders, each
with its ``reference.toml`` (see :mod:`meio.suite`); its members are named ``SUITE/MEMBER``
(``meio solve reference/storage_binds``).
"""

from __future__ import annotations

from pathlib import Path

from meio.errors import MeioError

BUNDLED_DIR = Path(__file__).resolve().parent


def _is_instance(path: Path) -> bool:
    return (path / "products.csv").is_file()


def bundled_suites() -> list[str]:
    """Names of the bundled suites: folders holding instance folders."""
    return sorted(p.name for p in BUNDLED_DIR.iterdir()
                  if p.is_dir() and not _is_instance(p) and any(_is_instance(m) for m in p.iterdir()))


def bundled_names() -> list[str]:
    """Names of the bundled instances: single ones, then every suite's members as ``SUITE/MEMBER``."""
    single = sorted(p.name for p in BUNDLED_DIR.iterdir() if _is_instance(p))
    members = [f"{suite}/{m.name}" for suite in bundled_suites()
               for m in sorted((BUNDLED_DIR / suite).iterdir()) if _is_instance(m)]
    return single + members


def resolve_instance_path(path_or_name: str | Path) -> Path:
    """A directory given by path, else a bundled instance of that name."""
    path = Path(path_or_name)
    if path.is_dir():
        return path
    if isinstance(path_or_name, str) and path_or_name in bundled_names():
        return BUNDLED_DIR / path_or_name
    if path.exists():
        raise MeioError(f"{path} is not a directory: an instance is a directory of CSV files")
    names = ", ".join(bundled_names()) or "none"
    raise MeioError(f"no instance directory '{path}' and no bundled instance of that name "
                    f"(bundled: {names})")
