"""The one table of activations, from which every backend's form derives.

Each activation is written once, as ``fn(xp, x)`` over an array namespace ``xp`` (see
:mod:`evotrain.networks.array_namespaces`), and runs as the JAX forward pass (``xp`` is
``jax.numpy``-like), as :class:`~evotrain.networks.numpy_network.NumpyNetwork` (NumPy float64) and
as the formula export (SymPy expressions, printed as LaTeX and as plain Python with
``math``). The table also records whether an activation's values stay within [-1, 1]
(``bounded``): the NEAT shell warns when such outputs meet the tanh squash of a box action.

Why it imports neither JAX nor SymPy: :class:`~evotrain.networks.numpy_network.NumpyNetwork`
must run where JAX is not installed (``evotrain.networks`` imports its names lazily for
the same reason); a backend's namespace is built when one of its forms is first asked for.

An entry may also hold backend-specific ``forms``, which win over ``fn``. An activation
registered the old way, as a JAX function of one array, has only a ``"jax"`` form; NumPy
and SymPy then refuse it with an error saying how to register a generic one.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from typing import Any

from evotrain.networks.array_namespaces import BACKENDS, namespace

GenericActivation = Callable[[Any, Any], Any]
"""``fn(xp, x) -> y``: elementwise, over an array namespace ``xp``."""

ActivationForm = Callable[[Any], Any]
"""``form(x) -> y``: one backend's elementwise function."""


@dataclasses.dataclass(frozen=True)
class ActivationEntry:
    """One activation of the table.

    Attributes:
        name: the key genomes and policies use.
        fn: ``fn(xp, x)``, the form of every backend (None: only ``forms`` exist).
        bounded: every value lies within [-1, 1].
        description: one line, for listings.
        forms: backend name -> ``form(x)``, used instead of ``fn`` for that backend.
    """

    name: str
    fn: GenericActivation | None
    bounded: bool = False
    description: str = ""
    forms: Mapping[str, ActivationForm] = dataclasses.field(default_factory=dict)

    def has_form(self, backend: str) -> bool:
        return backend in self.forms or self.fn is not None

    def form(self, backend: str) -> ActivationForm:
        """The elementwise function of ``backend``; raises KeyError if it has none."""
        if backend in self.forms:
            return self.forms[backend]
        if self.fn is None:
            raise KeyError(self.name)
        return functools.partial(self.fn, namespace(backend))


# Each: name, fn(xp, x), bounded (values within [-1, 1]), description. The named
# nonlinearities (relu, sigmoid, elu, gelu, safe_inv) are the namespaces' own, so JAX keeps
# calling jax.nn's functions. Integer factors (5, -5) print exactly in SymPy and give the
# same float32 product in JAX as 5.0 and -5.0 did.
_BUILTINS = (
    ActivationEntry("tanh", lambda xp, x: xp.tanh(x), True, "tanh(x), in (-1, 1)"),
    ActivationEntry("relu", lambda xp, x: xp.relu(x), False, "max(x, 0)"),
    ActivationEntry("sigmoid", lambda xp, x: xp.sigmoid(x), True, "1 / (1 + exp(-x)), in (0, 1)"),
    ActivationEntry(
        "scaled_sigmoid",
        lambda xp, x: xp.sigmoid(5 * xp.clip(x, -12.0, 12.0)),
        True,
        "sigmoid(5x) (neat-python's sigmoid), x clipped to [-12, 12]",
    ),
    ActivationEntry("identity", lambda xp, x: x, False, "x"),
    ActivationEntry("elu", lambda xp, x: xp.elu(x), False, "x if x > 0 else exp(x) - 1"),
    ActivationEntry("gelu", lambda xp, x: xp.gelu(x), False, "GELU, tanh approximation"),
    ActivationEntry("sin", lambda xp, x: xp.sin(x), True, "sin(x)"),
    ActivationEntry(
        "gauss",
        lambda xp, x: xp.exp(-5 * xp.square(xp.clip(x, -3.4, 3.4))),
        True,
        "exp(-5 x^2), x clipped to [-3.4, 3.4], in (0, 1]",
    ),
    ActivationEntry("abs", lambda xp, x: xp.abs(x), False, "|x|"),
    ActivationEntry("clamped", lambda xp, x: xp.clip(x, -1.0, 1.0), True, "x clipped to [-1, 1]"),
    ActivationEntry("square", lambda xp, x: xp.square(x), False, "x^2"),
    ActivationEntry("inv", lambda xp, x: xp.safe_inv(x), False, "1 / x, |x| < 1e-7 read as 1e-7"),
    ActivationEntry("log", lambda xp, x: xp.log(xp.maximum(x, 1e-7)), False, "log(max(x, 1e-7))"),
    ActivationEntry(
        "exp",
        lambda xp, x: xp.exp(xp.clip(x, -60.0, 60.0)),
        False,
        "exp(x), x clipped to [-60, 60]",
    ),
)

ACTIVATION_TABLE: dict[str, ActivationEntry] = {a.name: a for a in _BUILTINS}
"""Every activation by name: the built-in ones and those registered since."""

BUILTIN_ACTIVATIONS: tuple[str, ...] = tuple(ACTIVATION_TABLE)
"""The names evotrain defines itself (each has a generic ``fn``)."""


def activation_for_range(low: float, high: float) -> str:
    """The output function whose values cover targets in ``[low, high]`` best.

    ``"scaled_sigmoid"`` for targets within [0, 1] (steep enough that weights of the usual
    size reach 0 and 1), ``"tanh"`` within [-1, 1], ``"identity"`` otherwise.
    """
    if 0.0 <= low and high <= 1.0:
        return "scaled_sigmoid"
    if -1.0 <= low and high <= 1.0:
        return "tanh"
    return "identity"


def _check_backends(forms: Mapping[str, ActivationForm]) -> None:
    unknown = sorted(set(forms) - set(BACKENDS))
    if unknown:
        raise ValueError(f"Unknown backends {unknown}; known: {', '.join(BACKENDS)}.")


def add_activation(
    name: str,
    fn: GenericActivation | None = None,
    *,
    bounded: bool = False,
    description: str = "",
    forms: Mapping[str, ActivationForm] | None = None,
    overwrite: bool = False,
) -> ActivationEntry:
    """Puts an activation in the table (see :class:`ActivationEntry` for the arguments).

    Raises:
        ValueError: ``name`` is taken and ``overwrite`` is False, neither ``fn`` nor
            ``forms`` is given, or ``forms`` names an unknown backend.
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"An activation name must be a non-empty string, got {name!r}.")
    if name in ACTIVATION_TABLE and not overwrite:
        raise ValueError(f"Activation {name!r} already exists; pass overwrite=True to replace it.")
    forms = dict(forms or {})
    _check_backends(forms)
    if fn is None and not forms:
        raise ValueError(f"Activation {name!r} needs fn(xp, x) or at least one backend form.")
    entry = ActivationEntry(name, fn, bool(bounded), description, forms)
    ACTIVATION_TABLE[name] = entry
    return entry


def set_form(name: str, backend: str, form: ActivationForm) -> None:
    """Gives ``name`` its own ``form(x)`` in ``backend`` (adding a new, unbounded entry
    with only that form if ``name`` is not in the table)."""
    _check_backends({backend: form})
    entry = ACTIVATION_TABLE.get(name)
    if entry is None:
        add_activation(name, forms={backend: form})
    else:
        forms = {**entry.forms, backend: form}
        ACTIVATION_TABLE[name] = dataclasses.replace(entry, forms=forms)


def is_bounded(name: str) -> bool:
    """Whether ``name``'s values stay within [-1, 1] (False for an unknown name)."""
    entry = ACTIVATION_TABLE.get(name)
    return entry is not None and entry.bounded


_LABELS = {"jax": "JAX", "numpy": "NumPy", "sympy": "SymPy"}


class ActivationForms(MutableMapping[str, ActivationForm]):
    """One backend's live view of the table, ``name -> form(x)``.

    Reading gives the backend's form of every activation that has one; assigning sets a
    backend-specific form (:func:`set_form`); deleting removes the activation from the
    table, so from every backend.

    Args:
        backend: one of :data:`~evotrain.networks.array_namespaces.BACKENDS`.
        hint: a sentence that :meth:`lookup` errors end with.
    """

    def __init__(self, backend: str, hint: str = "") -> None:
        _check_backends({backend: None})
        self.backend = backend
        self.hint = hint

    def __getitem__(self, name: str) -> ActivationForm:
        entry = ACTIVATION_TABLE.get(name)
        if entry is None or not entry.has_form(self.backend):
            raise KeyError(name)
        return entry.form(self.backend)

    def __contains__(self, name: object) -> bool:
        entry = ACTIVATION_TABLE.get(name) if isinstance(name, str) else None
        return entry is not None and entry.has_form(self.backend)

    def __setitem__(self, name: str, form: ActivationForm) -> None:
        set_form(name, self.backend, form)

    def __delitem__(self, name: str) -> None:
        if name not in self:
            raise KeyError(name)
        del ACTIVATION_TABLE[name]

    def __iter__(self) -> Iterator[str]:
        return iter([n for n, e in ACTIVATION_TABLE.items() if e.has_form(self.backend)])

    def __len__(self) -> int:
        return sum(e.has_form(self.backend) for e in ACTIVATION_TABLE.values())

    def __repr__(self) -> str:
        return f"ActivationForms({self.backend!r}, {sorted(self)})"

    def lookup(self, name: str) -> ActivationForm:
        """``name``'s form in this backend.

        Raises:
            ValueError: ``name`` is unknown (listing the known ones), or it has no form in
                this backend (saying how to register one that has).
        """
        entry = ACTIVATION_TABLE.get(name)
        label = _LABELS[self.backend]
        if entry is None:
            message = (
                f"Unknown activation {name!r}; known: {', '.join(sorted(self))}. Add one with "
                "evotrain.networks.register_activation(name, fn)."
            )
        elif not entry.has_form(self.backend):
            message = (
                f"Activation {name!r} has no {label} form: it was registered for "
                f"{', '.join(_LABELS[b] for b in entry.forms)} only. Register it once for "
                "every backend as fn(xp, x) over an array namespace (xp.exp, xp.where, "
                f"xp.clip, ...): evotrain.networks.register_activation({name!r}, fn, "
                "generic=True, overwrite=True)."
            )
        else:
            return entry.form(self.backend)
        raise ValueError(f"{message} {self.hint}".strip())


__all__ = [
    "ACTIVATION_TABLE",
    "BUILTIN_ACTIVATIONS",
    "ActivationEntry",
    "ActivationForm",
    "ActivationForms",
    "GenericActivation",
    "activation_for_range",
    "add_activation",
    "is_bounded",
    "set_form",
]
