"""Packaging: an editable install takes the plain .pth path of setuptools, which prints no
'Editable installation ... be careful with folders' warning (pip 26 shows the backend's warnings)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_an_editable_install_adds_the_root_to_the_path_instead_of_a_meta_path_finder() -> None:
    setuptools = pytest.importorskip("setuptools")
    editable = pytest.importorskip("setuptools.command.editable_wheel")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    package_dir = config["package-dir"]
    # setuptools' _select_strategy: a .pth file when package-dir is {"": ...} and the layout is
    # simple, else the meta path finder (_TopLevelFinder) whose exit emits the warning
    assert set(package_dir) == {""}
    packages = setuptools.find_packages(str(ROOT), include=config["packages"]["find"]["include"])
    assert "meio" in packages and "meio.cli" in packages and not any(p.startswith("tests") for p in packages)
    assert editable._simple_layout(packages, package_dir, str(ROOT))
