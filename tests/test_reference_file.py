"""reference.toml: what write_reference writes, read_reference reads back unchanged."""

from __future__ import annotations

import math
from pathlib import Path
from tempfile import TemporaryDirectory

from hypothesis import given
from hypothesis import strategies as st

from meio.suite.reference import Reference, read_reference, write_reference

texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
#: The header is meio's own comment text (lines without control characters).
headers = st.lists(st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")), max_size=20),
                   max_size=3).map("\n".join)


@given(infeasible=st.booleans(), lp=st.floats(allow_nan=False, allow_infinity=False),
       mip=st.none() | st.floats(allow_nan=False), variants=st.lists(texts, max_size=3), header=headers)
def test_a_written_reference_reads_back_unchanged(infeasible: bool, lp: float, mip: float | None,
                                                  variants: list[str], header: str) -> None:
    # variant texts are user input: a quote or backslash (a Windows path) must not break the file
    status, lp = ("infeasible", math.inf) if infeasible else ("optimal", lp)
    reference = Reference(status=status, lp=lp, mip=mip, variables=3, constraints=4, variants=tuple(variants))
    with TemporaryDirectory() as directory:
        write_reference(Path(directory), reference, header)
        read = read_reference(Path(directory))
    assert read is not None
    assert (read.status, read.variants, read.variables, read.constraints) == (status, tuple(variants), 3, 4)
    assert read.lp == lp
    assert read.mip == mip
