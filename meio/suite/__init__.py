"""Reference suites: instances with stored optima, and a benchmark of methods x backends over them."""

from meio.suite.members import Member, suite_members
from meio.suite.reference import Reference, read_reference, write_reference

__all__ = ["Member", "Reference", "read_reference", "suite_members", "write_reference"]
