"""Write docs/cli-reference.md from the argument parsers (``meio.cli.build_parser()``).

Run ``python scripts/cli_reference.py`` after changing an option; a test checks that the
committed page equals what this prints.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

PAGE = Path(__file__).resolve().parent.parent / "docs" / "cli-reference.md"
#: The width argparse wraps help text at, fixed so that the page does not depend on the terminal.
COLUMNS = "100"


def cli_reference() -> str:
    """The page: the top-level help, then each sub-command's help, as argparse prints them."""
    os.environ["COLUMNS"] = COLUMNS
    from meio.cli import build_parser

    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    parts = ["# Command-line reference", "",
             "Generated from the argument parsers by `scripts/cli_reference.py`; "
             "[cli.md](cli.md) explains the commands, exit codes and result files.", "",
             "```text", parser.format_help().rstrip(), "```"]
    for name, sub in subparsers.choices.items():
        parts += ["", f"## meio {name}", "", "```text", sub.format_help().rstrip(), "```"]
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    PAGE.write_text(cli_reference(), encoding="utf-8")
    print(f"wrote {PAGE}", file=sys.stderr)
