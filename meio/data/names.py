"""Misspelt column and file names: which known name an unknown one was meant to be.

A known column written in another case or with a typo would otherwise be ignored and its
values silently replaced by the default; a misspelt optional file would be skipped without a
word. The loader turns the first into an error and the second into a warning, both naming
the intended name.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from meio.data.schema import CLOSE_NAME_CUTOFF, INSTANCE_FILES


def close_match(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate ``name`` most likely misspells: equal but for case, else the closest one
    whose case-insensitive difflib similarity reaches :data:`CLOSE_NAME_CUTOFF`; ``None`` if none."""
    lowered = {candidate.lower(): candidate for candidate in candidates}
    if name.lower() in lowered:
        return lowered[name.lower()]
    found = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=CLOSE_NAME_CUTOFF)
    return lowered[found[0]] if found else None


def unknown_file_notes(files: Iterable[str]) -> list[str]:
    """Warnings for the files of an instance that are not instance files.

    A file close to the name of an instance file that is absent is taken for a misspelling of
    it; any other CSV file is reported as ignored. Other files (README, hidden files) pass.
    """
    present = set(files)
    absent = [known for known in INSTANCE_FILES if known not in present]
    notes = []
    for file in sorted(present.difference(INSTANCE_FILES)):
        if file.startswith("."):
            continue
        meant = close_match(file, absent)
        if meant is not None:
            notes.append(f"{file}: not an instance file, so it is ignored; did you mean '{meant}'? "
                         "(file names are case-sensitive)")
        elif file.lower().endswith(".csv"):
            notes.append(f"{file}: not an instance file, so it is ignored")
    return notes
