"""The docs site's pages that are generated from the code are current, and no page points
outside the repository for the model's contract."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

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


def _option_rows(section: str) -> dict[str, str]:
    """The rows of the option table of docs/cli.md's ``section`` (its heading), by option."""
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8").split(f"\n## {section}\n", 1)[1]
    rows = [line for line in text.split("\n## ", 1)[0].splitlines() if line.startswith("| `--")]
    return {row.split("`")[1].split()[0]: row for row in rows}


def test_the_extensive_time_limit_is_documented_to_include_the_model_build(capsys: pytest.CaptureFixture) -> None:
    from meio.cli import main

    assert main(["solve", "--help"]) == 0
    shown = " ".join(capsys.readouterr().out.split())
    assert "counts from the start of the solve, model build included" in shown
    assert "counts from the start of the solve, model build included" in _option_rows("`meio solve INSTANCE`")[
        "--time-limit"]


@pytest.mark.parametrize("command, section", [("solve", "`meio solve INSTANCE`"),
                                              ("benchmark", "`meio benchmark SUITE`")])
def test_the_option_table_of_a_command_lists_every_option_of_its_help(command: str, section: str) -> None:
    from meio.cli import build_parser

    parser = build_parser(command)
    action = next(a for a in parser._actions if a.dest == "command")
    options = [a.option_strings[-1] for a in action.choices[command]._actions
               if a.option_strings and a.dest != "help"]
    assert [o for o in options if o not in _option_rows(section)] == []


def test_no_page_refers_to_a_specification_outside_the_repository() -> None:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    outside = [f"{p.name}: {m.group(0)}" for p in pages
               for m in re.finditer(r"SPEC(\.md| §\d)?|shared folder", p.read_text(encoding="utf-8"))]
    assert outside == []


def test_every_page_is_in_the_site_navigation() -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert [p.name for p in sorted((ROOT / "docs").glob("*.md")) if p.name not in config] == []


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The documentation site as ``make docs`` builds it (strict), into a temporary folder."""
    pytest.importorskip("mkdocs", reason="the docs extra (make test installs it)")
    out = tmp_path_factory.mktemp("site")
    build = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)], cwd=ROOT,
                           capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert build.returncode == 0, build.stderr
    return out


#: What arithmatex (generic) leaves for MathJax, and code, where a dollar or a backslash is literal.
_MATH_OR_CODE = re.compile(r'<(span|div) class="arithmatex">.*?</\1>|<pre\b.*?</pre>|<code\b.*?</code>', re.DOTALL)
#: A formula left as text: display or inline dollars, TeX delimiters or a TeX command.
_RAW_TEX = re.compile(r"\$\$|\$[^\s$][^$\n]*[^\s$]\$|\\[(\[]|\\(?:min|sum|le|ge|in|frac|mathrm|text|big|Big)\b")


def test_every_formula_on_the_site_is_typeset(site: Path) -> None:
    raw = {}
    for page in sorted(site.rglob("index.html")):
        html = page.read_text(encoding="utf-8")
        main = html[html.index('<article'):html.index('</article>')]
        found = _RAW_TEX.findall(_MATH_OR_CODE.sub("", main))
        if found:
            raw[str(page.relative_to(site))] = found
    assert raw == {}
    formulation = (site / "formulation" / "index.html").read_text(encoding="utf-8")
    assert formulation.count('class="arithmatex"') > 40
    assert "javascripts/mathjax.js" in formulation and "mathjax@3" in formulation


def test_the_site_loads_no_web_fonts(site: Path) -> None:
    assert [p.name for p in site.rglob("*.html") if "fonts.googleapis" in p.read_text(encoding="utf-8")] == []


def test_nested_list_items_are_indented_four_spaces() -> None:
    """Python-Markdown (the site) reads a sub-item only at four spaces; at two it flattens the list."""
    bad = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        fenced = False
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            fenced ^= line.lstrip().startswith("```")
            if not fenced and re.match(r"( {1,3}| {5,7})([-*+]|\d+\.) ", line):
                bad.append(f"{page.name}:{number}: {line.strip()}")
    assert bad == []


def _python_block_after(page: str, heading: str) -> str:
    """The first ```python block after ``heading`` on a docs page."""
    text = (ROOT / "docs" / page).read_text(encoding="utf-8")
    after = text[text.index(f"\n{heading}\n"):]
    return after.split("```python\n", 1)[1].split("\n```", 1)[0]


@pytest.mark.parametrize("heading, files", [
    ("## Reference suites and benchmarks", ["benchmark.csv", "benchmark.md"]),
    ("## Export and other solvers", ["on_hand.dec", "on_hand.mps"]),
])
def test_a_self_contained_api_example_runs_as_written(heading: str, files: list[str], tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    exec(compile(_python_block_after("api.md", heading), f"api.md {heading}", "exec"), {})  # noqa: S102
    assert sorted(path.name for path in tmp_path.rglob("*") if path.is_file()) == files


def test_the_scenarios_example_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/scenarios.md's forecast and its commands (the forecast's products were not demo's)."""
    from meio.cli import main

    text = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8").split("\n## Example\n", 1)[1]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "forecast.csv").write_text(text.split("```csv\n", 1)[1].split("```", 1)[0], encoding="utf-8")
    commands = [line.strip().split()[1:] for line in text.splitlines() if line.startswith("    meio ")]
    assert [command[0] for command in commands] == ["scenarios", "scenarios", "solve"]
    for command in commands:
        assert main([*command, "--quiet"] if command[0] == "solve" else command) == 0, command
    assert (tmp_path / "demand.csv").is_file() and (tmp_path / "results" / "my_instance" / "stock.csv").is_file()


def _github_slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation but '-' and '_' dropped, spaces to '-'
    (unlike the site's, runs of '-' are kept)."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_every_link_anchor_resolves_on_github_too() -> None:
    pages = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]
    anchors = {}
    for page in pages:
        text = page.read_text(encoding="utf-8")
        headings = re.findall(r"^#+ (.*)$", re.sub(r"```.*?```", "", text, flags=re.S), flags=re.M)
        anchors[page.resolve()] = {_github_slug(h) for h in headings} | set(re.findall(r'id="([^"]+)"', text))
    links = [(page, (page.parent / target).resolve() if target else page.resolve(), anchor) for page in pages
             for target, anchor in re.findall(r"\]\(([^)#\s]*)#([^)\s]+)\)", page.read_text(encoding="utf-8"))]
    broken = [f"{page.name}: {linked.name}#{anchor}" for page, linked, anchor in links
              if linked in anchors and anchor not in anchors[linked]]
    assert not broken
