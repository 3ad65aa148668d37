"""Instances: the schema of SPEC §1, loading and validation, derived sets, bundled instances."""

from meio.data.instance import Instance
from meio.data.loader import load_instance

__all__ = ["Instance", "load_instance"]
