"""Helpers every sub-command shares: warnings, and loading an instance with its warnings."""

from __future__ import annotations

import sys
from pathlib import Path

from meio import progress
from meio.data import load_instance
from meio.data.instance import Instance


def warn(message: str) -> None:
    """Print ``warning: message`` to stderr (also under ``--quiet``: warnings are never silenced)."""
    progress.clear()  # a status line being drawn comes back at its next update
    print(f"warning: {message}", file=sys.stderr)


def warn_notes(instance: Instance) -> None:
    """Print the instance's warnings (``instance.notes``, filled by the loader)."""
    for note in instance.notes:
        warn(note)


def load(name: str | Path) -> Instance:
    """Load an instance (directory, bundle or bundled name) and print its warnings."""
    instance = load_instance(name)
    warn_notes(instance)
    return instance
