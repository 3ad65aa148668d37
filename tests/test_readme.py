"""Every ``meio`` command of the README's "Using it" section runs as written and exits 0.

The commands are read from the README's code block, so the test follows the README. They run
in-process, in the README's order, in fresh working directories: one directory per chain of
commands that share a file (later ones read what earlier ones wrote, such as results/demo), so
that the chains can run side by side (pytest-xdist). Every command runs, each once. Together
they take two to three minutes: the README solves the bundled demo four ways, compares it with
every baseline on 200 scenarios (optimal and myopic fulfillment) and benchmarks the reference suite.
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


def files_of(args: list[str]) -> set[str]:
    """The files and directories of the working directory that a command names or writes: every
    argument that is a path (has a slash or a suffix such as report.html), what ``generate`` writes,
    and the default ``--out`` of ``solve`` (results/NAME)."""
    named = {a for a in args if not a.startswith("-") and ("/" in a or re.fullmatch(r"[\w-]+\.\w+", a))}
    positional = [a for a in args[1:] if not a.startswith("-")]
    if args[:1] == ["generate"] and positional:
        named.add(positional[0])
    if args[:1] == ["solve"] and "--out" not in args and positional:
        named.add(f"results/{Path(positional[0]).name}")
    return {str(Path(n)) for n in named}


def readme_chains() -> list[list[list[str]]]:
    """The README's commands in chains that share no file, each in the README's order: a command
    joins every earlier chain whose files it names or that named one of its own files (and those
    chains become one)."""
    order = readme_commands()
    chains: list[tuple[set[str], list[list[str]]]] = []
    for args in order:
        files = files_of(args)
        names = files | {str(Path(a)) for a in args if not a.startswith("-")}
        joined = [c for c in chains if c[0] & names]
        chains = [c for c in chains if not c[0] & names]
        commands = sorted((cmd for c in joined for cmd in c[1]), key=order.index) + [args]
        chains.append((files.union(*(c[0] for c in joined)), commands))
    return sorted((c[1] for c in chains), key=lambda chain: order.index(chain[0]))


def test_the_readme_has_commands() -> None:
    commands = readme_commands()
    assert len(commands) >= 8 and ["compare", "demo", "results/demo", "--scenarios", "200", "--seed", "1"] in commands


def test_the_chains_hold_every_command_once_in_the_readme_order() -> None:
    commands, chains = readme_commands(), readme_chains()
    assert sorted(cmd for chain in chains for cmd in chain) == sorted(commands)
    assert all(chain == sorted(chain, key=commands.index) for chain in chains)
    demo = next(chain for chain in chains if ["solve", "demo"] in chain)  # what reads results/demo follows it
    assert [c[0] for c in demo] == ["solve", "compare", "evaluate", "report"]
    assert [c[0] for c in next(chain for chain in chains if chain[0][0] == "generate")] == ["generate", "solve"]


@pytest.mark.parametrize("chain", readme_chains(), ids=lambda chain: " | ".join(" ".join(c) for c in chain))
def test_every_readme_command_exits_0(chain: list[list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture) -> None:
    monkeypatch.chdir(tmp_path)
    for args in chain:
        code = main(args)
        assert code == 0, (args, capsys.readouterr().err)
    if any("report.html" in args for args in chain):
        assert (tmp_path / "report.html").is_file()
