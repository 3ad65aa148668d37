"""Every ``meio`` command of the README's "Using it" section runs as written and exits 0.

The commands are read from the README's code block, so the test follows the README. They run
in-process in a fresh working directory, in the README's order (later ones read what earlier
ones wrote, such as results/demo). This takes two to three minutes: the README solves the bundled
demo four ways, compares it with every baseline on 200 scenarios (optimal and myopic fulfillment)
and benchmarks the reference suite.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from meio.cli import main

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_commands() -> list[list[str]]:
    """The arguments of each ``meio ...`` line in the code blocks of the "Using it" section."""
    section = README.read_text(encoding="utf-8").split("## Using it", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL)
    lines = [line.strip() for block in blocks for line in block.splitlines()]
    return [shlex.split(line, comments=True)[1:] for line in lines if line.startswith("meio ")]


def test_the_readme_has_commands() -> None:
    commands = readme_commands()
    assert len(commands) >= 8 and ["compare", "demo", "results/demo", "--scenarios", "200", "--seed", "1"] in commands


def test_every_readme_command_exits_0(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture) -> None:
    monkeypatch.chdir(tmp_path)
    for args in readme_commands():
        code = main(args)
        assert code == 0, (args, capsys.readouterr().err)
    assert (tmp_path / "report.html").is_file()
