"""Turn a network plus new demand scenarios into a complete instance directory.

This is the step from a forecast to something ``meio solve`` accepts: every table of the
network instance is copied except ``demand.csv`` (replaced) and ``scenarios.csv`` (the new
scenarios are equally likely), and the result is validated by loading it. Its
``instance.toml`` keeps the network's settings but not its name (the new instance is named
after its directory, so its results do not go where the network's go) or description.
"""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import pandas as pd

from meio.data.bundled import resolve_instance_path
from meio.data.instance import Instance
from meio.data.loader import load_instance
from meio.errors import MeioError

REPLACED = ("demand.csv", "scenarios.csv", "instance.toml")


def instance_with_demand(network: str | Path, demand: pd.DataFrame, out_dir: str | Path,
                         source: str = "forecast") -> Instance:
    """Write ``network`` with ``demand`` as its demand.csv to ``out_dir``; return the loaded instance.

    Products, zones and speeds of the demand must exist in the network; the first that does
    not is reported naming ``source`` and the column.
    """
    network_dir = resolve_instance_path(network)
    target = Path(out_dir)
    if target.resolve() == network_dir.resolve():
        raise MeioError(f"{target}: the output directory must differ from the network instance")
    _check_identifiers(network_dir, demand, source)
    target.mkdir(parents=True, exist_ok=True)
    for path in network_dir.iterdir():
        if path.is_file() and path.name not in REPLACED and path.suffix in (".csv", ".toml"):
            shutil.copyfile(path, target / path.name)
    for name in REPLACED:
        (target / name).unlink(missing_ok=True)
    demand.to_csv(target / "demand.csv", index=False)
    (target / "instance.toml").write_text(_settings(network_dir, source), encoding="utf-8")
    return load_instance(target)


def _settings(network_dir: Path, source: str) -> str:
    """The network's instance.toml with the name left to the directory and a description of the demand's origin."""
    path = network_dir / "instance.toml"
    settings = tomllib.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    network = settings.get("name") or network_dir.name
    settings |= {"name": "", "description": f"demand sampled from {source} by 'meio scenarios' on the network "
                                           f"of {network}"}
    return "".join(f"{key} = {_toml_value(value)}\n" for key, value in settings.items())


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value) if isinstance(value, str) else repr(value)


def _check_identifiers(network_dir: Path, demand: pd.DataFrame, source: str) -> None:
    for column, file in (("product", "products.csv"), ("zone", "zones.csv"), ("speed", "speeds.csv")):
        known = set(pd.read_csv(network_dir / file, dtype=str, usecols=[column])[column].str.strip())
        unknown = sorted(set(demand[column]) - known)
        if unknown:
            raise MeioError(f"{source}, column '{column}': '{unknown[0]}' is not defined in {file} of the "
                            f"network {network_dir}" + (f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""))
