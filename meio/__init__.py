"""meio: multi-echelon inventory optimization with sample-average approximation."""

__version__ = "0.1.0"
