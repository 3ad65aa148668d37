"""One entry point for every solution method: ``solve(instance, method=..., backend=...)``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import cast

from meio.data.instance import Instance
from meio.decomposition import DecompositionConfig, solve_decomposition
from meio.errors import OptionError
from meio.exact import solve_extensive
from meio.methods import ENTRY_POINT_GROUP, Method, declares_variants, load_method, registered_methods
from meio.models.build import ModelVariant
from meio.models.variants import resolve_variants, variant_record
from meio.results.result import Result
from meio.solvers import SolveOptions

#: Built-in solution methods by name; each takes (instance, backend, options) and returns a Result.
METHODS: dict[str, Method] = {
    "extensive": solve_extensive,
    "decomposition": solve_decomposition,
}

#: Backends the decomposition drives itself (its subproblem engines); others solve only the extensive form.
DECOMPOSITION_BACKENDS = ("highs", "ortools")


def get_method(name: str) -> Method:
    """A built-in method by name, else a pluggable one (``module:function``, ``file.py:function``
    or an entry point of ``meio.methods``; see :mod:`meio.methods`)."""
    if name in METHODS:
        return METHODS[name]
    if ":" not in name and name not in registered_methods():
        raise OptionError(f"unknown method '{name}' (built-in: {', '.join(METHODS)}; or an entry point of "
                          f"'{ENTRY_POINT_GROUP}', module:function or path/to/file.py:function)")
    return load_method(name)


def method_takes_variants(name: str) -> bool:
    """Whether the named method solves models with variants: the built-in ones do, a pluggable one
    when it declares so (:func:`meio.methods.takes_variants`)."""
    return name in METHODS or declares_variants(get_method(name))


def check_method_backend(method: str, backend: str) -> None:
    """Refuse a backend the method cannot drive (:class:`OptionError`)."""
    if method == "decomposition" and backend not in DECOMPOSITION_BACKENDS:
        raise OptionError(f"--method decomposition runs on {' or '.join(DECOMPOSITION_BACKENDS)}, "
                          f"not '{backend}'")


def solve(instance: Instance, method: str = "extensive", backend: str = "highs",
          options: SolveOptions | None = None, variants: Sequence[ModelVariant | str] = (),
          config: DecompositionConfig | None = None) -> Result:
    """Solve an instance with the named method and backend, with model ``variants`` (objects or
    ``NAME[:key=value,...]`` texts, see :mod:`meio.models.variants`) applied; ``config`` tunes the
    decomposition. The result's ``details["variants"]`` records each variant with its parameters."""
    check_method_backend(method, backend)
    applied = resolve_variants(variants)
    options = options or SolveOptions()
    if method == "decomposition":
        result = solve_decomposition(instance, backend, options, variants=applied, config=config)
    elif method == "extensive":
        result = solve_extensive(instance, backend, options, variants=applied)
    elif not method_takes_variants(method):
        if applied:
            raise OptionError(f"method '{method}' takes no model variants (the built-in methods extensive and "
                              "decomposition do, and a pluggable one declared with meio.methods.takes_variants)")
        result = get_method(method)(instance, backend, options)
    else:
        declared = cast(Callable[..., Result], get_method(method))  # declared with meio.methods.takes_variants
        result = declared(instance, backend, options, variants=applied)
    result.details["variants"] = [variant_record(v) for v in applied]
    return result
