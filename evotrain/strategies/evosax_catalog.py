"""The catalogue of evosax 0.3.x strategies behind
:class:`~evotrain.strategies.evosax.EvosaxStrategy`: their names, those it refuses
(:data:`UNSUPPORTED`) or that need an even population (:data:`EVEN_POPULATION`), name
resolution and the constructor keywords it passes through.

evosax itself is imported on first use, so importing this module does not import it.
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Mapping

UNSUPPORTED: Mapping[str, str] = {
    "LES": (
        "loads its meta-learned network weights from a pickle bundled with evosax; "
        "evotrain never unpickles (loading must not run code)"
    ),
    "LGA": (
        "loads its meta-learned network weights from a pickle bundled with evosax; "
        "evotrain never unpickles (loading must not run code)"
    ),
    "EvoTF_ES": (
        "loads its meta-learned transformer weights from a pickle bundled with evosax; "
        "evotrain never unpickles (loading must not run code)"
    ),
    "CMAAnchoredLES": (
        "loads its meta-learned network weights from a pickle bundled with evosax; "
        "evotrain never unpickles (loading must not run code)"
    ),
    "SV_CMA_ES": (
        "Stein variational: evolves num_populations search distributions at once (a "
        "(num_populations, num_dims) mean), but an evotrain model acts with one parameter "
        "vector"
    ),
    "SV_Open_ES": (
        "Stein variational: evolves num_populations search distributions at once (a "
        "(num_populations, num_dims) mean), but an evotrain model acts with one parameter "
        "vector"
    ),
    "GuidedES": (
        "needs a surrogate gradient written into its state before every ask "
        "(state.grad); evotrain has none, so it would silently run as plain antithetic ES"
    ),
    "PersistentES": (
        "made for truncated unrolls of one long inner problem (it accumulates "
        "perturbations over T/K calls); evotrain evaluates whole episodes every "
        "generation, so its gradient estimate would be wrong"
    ),
    "NoiseReuseES": (
        "made for truncated unrolls of one long inner problem (it reuses noise over T/K "
        "calls); evotrain evaluates whole episodes every generation, so its gradient "
        "estimate would be wrong"
    ),
}
"""evosax 0.3.2 strategies :class:`~evotrain.strategies.evosax.EvosaxStrategy` refuses,
with the reason for each (a test checks that every reason still holds for the installed
evosax)."""

EVEN_POPULATION: frozenset[str] = frozenset(
    {"ARS", "ASEBO", "CR_FM_NES", "ESMC", "Open_ES", "PGPE"}
)
"""Supported strategies that need an even ``pop_size`` (antithetic sampling: each
perturbation is evaluated with its mirror). ESMC does not check it itself (an odd size
would make its population one member short)."""

_HIDDEN_CONSTRUCTOR_ARGS = frozenset(
    {"self", "population_size", "solution", "metrics_fn", "params", "params_path"}
)
"""Constructor arguments of evosax classes that are the wrapper's business (sizes, the
solution template, evosax's metrics) or that load pickles (``params_path``)."""


def _evosax_algorithms() -> dict[str, type]:
    from evosax.algorithms import algorithms

    return dict(algorithms)


def evosax_class(name: str) -> type:
    """The class of ``evosax.algorithms`` for ``name`` (resolved by :func:`resolve_name`)."""
    return _evosax_algorithms()[resolve_name(name)]


def _normalized(name: str) -> str:
    return name.lower().replace("_", "").replace("-", "")


def all_names() -> tuple[str, ...]:
    """Every strategy name of the installed ``evosax.algorithms``, sorted."""
    return tuple(sorted(_evosax_algorithms(), key=str.lower))


def supported_names() -> tuple[str, ...]:
    """The names :class:`~evotrain.strategies.evosax.EvosaxStrategy` accepts (all but
    :data:`UNSUPPORTED`), sorted."""
    return tuple(n for n in all_names() if n not in UNSUPPORTED)


def resolve_name(name: str) -> str:
    """evosax's spelling of a strategy name; case, ``_`` and ``-`` do not matter
    (``"cmaes"`` -> ``"CMA_ES"``).

    Raises:
        ValueError: for an unknown name (suggesting the closest names) or one in
            :data:`UNSUPPORTED` (with the reason).
    """
    known = all_names()
    if name not in known:
        by_norm = {_normalized(n): n for n in known}
        if _normalized(str(name)) in by_norm:
            name = by_norm[_normalized(str(name))]
        else:
            close = difflib.get_close_matches(str(name), known, n=3, cutoff=0.5)
            if not close:
                lowered = {n.lower(): n for n in known}
                close = [
                    lowered[c]
                    for c in difflib.get_close_matches(str(name).lower(), lowered, n=3, cutoff=0.5)
                ]
            hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            raise ValueError(
                f"Unknown evosax strategy {name!r}.{hint} Supported: "
                f"{', '.join(supported_names())}."
            )
    if name in UNSUPPORTED:
        raise ValueError(
            f"evosax's {name} is not supported by evotrain: {UNSUPPORTED[name]}. "
            f"Supported: {', '.join(supported_names())}."
        )
    return name


def is_population_based(name: str) -> bool:
    """Whether evosax's ``name`` keeps a population (``True``) or a search distribution."""
    from evosax.algorithms.population_based.base import PopulationBasedAlgorithm

    return issubclass(evosax_class(name), PopulationBasedAlgorithm)


def constructor_keywords(name: str) -> tuple[str, ...]:
    """The evosax constructor keywords
    :class:`~evotrain.strategies.evosax.EvosaxStrategy` passes through for ``name``."""
    cls = evosax_class(name)
    params = inspect.signature(cls.__init__).parameters
    return tuple(
        p
        for p, v in params.items()
        if p not in _HIDDEN_CONSTRUCTOR_ARGS and v.kind is not inspect.Parameter.VAR_KEYWORD
    )


__all__ = [
    "EVEN_POPULATION",
    "UNSUPPORTED",
    "all_names",
    "constructor_keywords",
    "evosax_class",
    "is_population_based",
    "resolve_name",
    "supported_names",
]
