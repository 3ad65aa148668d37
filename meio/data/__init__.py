"""Instances: the data format (docs/data-format.md), loading and validation, derived sets, bundled ones."""

from meio.data.instance import Instance
from meio.data.loader import load_instance

__all__ = ["Instance", "load_instance"]
