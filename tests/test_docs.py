"""The docs site's pages that are generated from the code are current, and no page points
outside the repository for the model's contract."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _script(name: str):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_reference_is_generated_from_the_parsers() -> None:
    page = (ROOT / "docs" / "cli-reference.md").read_text(encoding="utf-8")
    assert page == _script("cli_reference").cli_reference(), "run: python scripts/cli_reference.py"


def test_no_page_refers_to_a_specification_outside_the_repository() -> None:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    outside = [f"{p.name}: {m.group(0)}" for p in pages
               for m in re.finditer(r"SPEC(\.md| §\d)?|shared folder", p.read_text(encoding="utf-8"))]
    assert outside == []


def test_every_page_is_in_the_site_navigation() -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert [p.name for p in sorted((ROOT / "docs").glob("*.md")) if p.name not in config] == []
