"""Compile a Pyomo model to matrix form (one source of truth for non-Pyomo solvers)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo
import scipy.sparse as sp
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler


@dataclass(frozen=True, eq=False)
class LinearModel:
    """min c x  s.t.  row_lower <= A x <= row_upper,  lower <= x <= upper,  x_j integer where marked.

    A may hold its coefficients in a narrower dtype than float64 (the decomposition's numpy
    builder keeps the formulation's +-1 as int8); a solver reads them as float64."""

    c: np.ndarray
    A: sp.csr_array
    row_lower: np.ndarray
    row_upper: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    integer: np.ndarray


@dataclass(frozen=True, eq=False)
class MatrixForm(LinearModel):
    """A compiled Pyomo model: a :class:`LinearModel` with the objective's constant ``offset``.

    ``variables`` and ``constraints`` give the Pyomo component of each column and row.
    """

    offset: float
    variables: list[pyo.VarData]
    constraints: list[pyo.ConstraintData]


def compile_matrix(model: pyo.ConcreteModel) -> MatrixForm:
    """Matrix form of a linear Pyomo model with one (minimised) objective."""
    repn = LinearStandardFormCompiler().write(model, mixed_form=True, set_sense=pyo.minimize)
    rhs = np.asarray(repn.rhs, dtype=float)
    kind = np.array([row.bound_type for row in repn.rows], dtype=int)
    # bound_type: 1 is "A x <= rhs", -1 is "A x >= rhs", 0 is "A x == rhs"
    row_lower, row_upper = np.where(kind == 1, -np.inf, rhs), np.where(kind == -1, np.inf, rhs)
    columns = list(repn.columns)
    lower = np.array([-np.inf if v.lb is None else v.lb for v in columns], dtype=float)
    upper = np.array([np.inf if v.ub is None else v.ub for v in columns], dtype=float)
    return MatrixForm(
        c=np.asarray(repn.c.toarray()).ravel() if repn.c.shape[0] else np.zeros(len(columns)),
        offset=float(np.asarray(repn.c_offset).ravel()[0]) if np.size(repn.c_offset) else 0.0,
        A=sp.csr_array(repn.A),
        row_lower=row_lower, row_upper=row_upper, lower=lower, upper=upper,
        integer=np.array([v.is_integer() for v in columns], dtype=bool),
        variables=columns, constraints=[row.constraint for row in repn.rows],
    )
