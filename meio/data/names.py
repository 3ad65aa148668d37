"""Names: misspelt column and file names, and instance names that cannot name a directory.

A known column written in another case or with a typo would otherwise be ignored and its
values silently replaced by the default; a misspelt optional file would be skipped without a
word. The loader turns the first into an error and the second into a warning, both naming
the intended name.

An instance's name is a path component (``results/NAME``, ``results/NAME-gap``): a name that is
empty, ``.`` or ``..``, or holds a path separator, would write elsewhere (:func:`name_problem`).
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


#: Characters an instance name cannot hold: path separators (``:`` starts a drive on Windows).
PATH_SEPARATORS = "/\\:"


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be an instance's name (it names directories), or ``None`` if it can."""
    unsafe = any(c in PATH_SEPARATORS or not c.isprintable() for c in name)
    if name.strip() and name not in (".", "..") and not unsafe:
        return None
    separators = ", ".join(f"'{c}'" for c in PATH_SEPARATORS)
    return (f"must be one path component, as it names result directories (results/NAME): not empty, '.' or "
            f"'..', and no {separators} or control character, got {name!r}")


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
