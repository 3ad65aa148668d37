"""Write an :class:`Instance` back to the data format (docs/data-format.md): a directory of CSV files or a bundle.

Loading what is written gives the same instance (scenario weights and window shares
are written normalised, which loading leaves unchanged). Floats are written with
full precision (``repr``), infinite capacities as ``inf``, missing values as blank
cells, ``nodes.categories`` as a sorted ``;``-separated list.

A directory that is written holds the instance and nothing stale: the instance files an
earlier instance left there (:data:`INSTANCE_FILES`) are removed first; other files are kept.
"""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path

import pandas as pd

from meio.data.bundle import is_bundle_path, write_bundle
from meio.data.bundled import BUNDLED_DIR
from meio.data.instance import Instance
from meio.data.schema import TABLE_BY_NAME, TABLES, Table
from meio.data.tables import DirectorySource
from meio.errors import MeioError

#: The files of an instance directory that meio knows: every table of the format and instance.toml.
INSTANCE_FILES = tuple(t.file for t in TABLES) + ("instance.toml",)


def clear_instance_files(directory: Path) -> list[Path]:
    """Remove the :data:`INSTANCE_FILES` present in ``directory``; return them."""
    removed = [directory / name for name in INSTANCE_FILES if (directory / name).is_file()]
    for path in removed:
        path.unlink()
    return removed


def check_target_dir(directory: Path, force: bool) -> None:
    """Refuse to write an instance into a bundled instance, a file, or (without ``force``) a non-empty directory."""
    if directory.resolve().is_relative_to(BUNDLED_DIR):
        raise MeioError(f"{directory} is inside meio's bundled instances ({BUNDLED_DIR}); write elsewhere")
    if directory.exists() and not directory.is_dir():
        raise MeioError(f"{directory} is a file, not a directory")
    if directory.is_dir() and any(directory.iterdir()) and not force:
        raise MeioError(f"{directory} is not empty (use --force to replace the instance files in it)")


def instance_tables(instance: Instance) -> dict[str, pd.DataFrame]:
    """The instance's tables as they are written, keyed by table name (optional ones when present)."""
    tables = {
        "products": instance.products.reset_index(), "nodes": instance.nodes.reset_index(),
        "zones": instance.zones.reset_index(), "speeds": instance.speeds.reset_index(),
        "lanes": instance.lanes, "demand": instance.demand, "scenarios": instance.scenarios.reset_index(),
    }
    if not instance.inventory.empty:
        tables["inventory"] = instance.inventory
    if instance.windows is not None:
        tables["windows"] = instance.windows.reset_index()
    return tables


def write_instance_dir(instance: Instance, path: str | Path) -> Path:
    """Write ``instance`` as a directory of CSV files and ``instance.toml``; return the directory."""
    directory = Path(path)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        clear_instance_files(directory)
        for name, frame in instance_tables(instance).items():
            table = TABLE_BY_NAME[name]
            _text_frame(frame, table).to_csv(directory / table.file, index=False, lineterminator="\n")
        (directory / "instance.toml").write_text(_toml(instance), encoding="utf-8")
    except OSError as error:
        raise MeioError(f"cannot write instance directory {directory}: {error}") from error
    return directory


def write_instance(instance: Instance, path: str | Path) -> Path:
    """Write ``instance`` to a bundle when ``path`` ends in ``.zip``, else to a directory."""
    target = Path(path)
    if not is_bundle_path(target):
        return write_instance_dir(instance, target)
    with tempfile.TemporaryDirectory() as scratch:
        write_instance_dir(instance, Path(scratch))
        write_bundle(DirectorySource(Path(scratch)), target)
    return target


def _text_frame(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    return pd.DataFrame({c.name: [_cell(v) for v in frame[c.name]] for c in table.columns if c.name in frame})


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, frozenset):
        return ";".join(sorted(value))
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return "inf" if math.isinf(value) else repr(value)
    return str(value)


def _toml(instance: Instance) -> str:
    return (f"name = {json.dumps(instance.name)}\n"
            f"description = {json.dumps(instance.description)}\n"
            f"max_route_lanes = {instance.max_route_lanes}\n"
            f"integer_stock = {'true' if instance.integer_stock else 'false'}\n")


