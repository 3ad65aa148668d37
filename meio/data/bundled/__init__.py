"""Instances shipped with meio, usable by name wherever a path is expected (``meio solve tiny``)."""

from __future__ import annotations

from pathlib import Path

from meio.errors import MeioError

BUNDLED_DIR = Path(__file__).resolve().parent


def bundled_names() -> list[str]:
    """Names of the bundled instances."""
    return sorted(p.name for p in BUNDLED_DIR.iterdir() if (p / "products.csv").is_file())


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
