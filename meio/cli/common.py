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


def warn_notes(instance: Instance, label: str = "") -> None:
    """Print the instance's warnings (``instance.notes``, filled by the loader), each after ``label: ``
    when a label is given (a command that loads several instances names the one warned about)."""
    for note in instance.notes:
        warn(f"{label}: {note}" if label else note)


def load(name: str | Path, label: str = "") -> Instance:
    """Load an instance (directory, bundle or bundled name) and print its warnings (see :func:`warn_notes`)."""
    instance = load_instance(name)
    warn_notes(instance, label)
    return instance
