"""Declared settings: every algorithm's keywords as one frozen dataclass.

A shell's keywords are the fields of its :class:`Settings` subclass (``OpenES.settings_type``
is :class:`~evotrain.algorithms.es.OpenESSettings`). Everything about a keyword follows
from its field, declared once with :func:`setting`:

- the constructor's signature (``help(OpenES)``, ``inspect.signature(OpenES)``);
- its default, and the checks that run before anything is built (finite floats, step
  sizes > 0, sizes within their bounds; a subclass's ``__post_init__`` adds its own);
- the save's record (:meth:`Settings.record`: every field, so that a later change of a
  default leaves saved models as they were trained);
- the upgrade of older saves (:meth:`Settings.upgrade`: a field's ``was`` default, for
  saves that did not record it);
- the size bounds a load checks before building (:meth:`Settings.sizes`,
  :meth:`Settings.individual_size`; see :mod:`evotrain.persistence.validate`).
"""

from __future__ import annotations

import contextvars
import dataclasses
import difflib
import inspect
import json
from typing import Any, ClassVar, Self

from evotrain.limits import MAX_EPISODE_STEPS, MAX_EPISODES, MAX_POP_SIZE
from evotrain.networks.mlp import DEFAULT_NET_ARCH
from evotrain.types import nonfinite_setting, positive_float

MISSING: Any = dataclasses.MISSING
_OWNER: contextvars.ContextVar[str | None] = contextvars.ContextVar("owner", default=None)


def setting(
    default: Any = MISSING,
    *,
    size: int | None = None,
    positive: bool = False,
    was: Any = MISSING,
    stored: bool = True,
) -> Any:
    """A keyword of an algorithm: a dataclass field with what evotrain checks of it.

    Args:
        default: its default (None: optional).
        size: an integer setting from 1 to this bound (None allowed when it is the
            default); a load refuses a saved value outside it before building.
        positive: a step size or scale: a finite number > 0 (None allowed when it is the
            default).
        was: its default in saves that did not record it (evotrain 0.1), when that differs
            from today's.
        stored: False for a setting of the machine rather than the model (``devices``):
            a save keeps it only when it is JSON, and a load never asks for it.
    """
    metadata = {"size": size, "positive": positive, "was": was, "stored": stored}
    return dataclasses.field(default=default, metadata=metadata)


def optimizer_setting() -> Any:
    """An optax optimizer keyword (default None: the algorithm's own). Not JSON: a load
    asks for it again."""
    return dataclasses.field(
        default=None,
        metadata={"size": None, "positive": False, "was": MISSING, "optimizer": True},
    )


def _is_transform(value: Any) -> bool:
    return callable(getattr(value, "init", None)) and callable(getattr(value, "update", None))


def _json(value: Any) -> bool:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return False
    return True


def _plain(value: Any) -> Any:
    """Tuples as lists, all the way down (what JSON gives back); an object that has a JSON
    form (``to_dict()``, as a HyperNEAT substrate) as that form."""
    if hasattr(value, "to_dict"):
        return _plain(value.to_dict())
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


@dataclasses.dataclass(frozen=True, kw_only=True)
class Settings:
    """The keywords every algorithm takes (see
    :class:`~evotrain.algorithms.base.BaseEvolver` for what each means). A shell's own
    class adds its fields, and may redeclare one to change its default."""

    pop_size: int = setting(256, size=MAX_POP_SIZE)
    n_episodes: int = setting(1, size=MAX_EPISODES)
    episode_reduce: str = setting("mean")
    max_episode_steps: int | None = setting(None, size=MAX_EPISODE_STEPS)
    pop_batch_size: int | None = setting(None, size=MAX_POP_SIZE)
    obs_normalization: bool = setting(False)
    reward_shift: float = setting(0.0)
    policy_kwargs: dict[str, Any] | None = setting(None)
    env_kwargs: dict[str, Any] | None = setting(None)
    seed: int | None = setting(None)
    verbose: int = setting(0)
    tensorboard_log: str | None = setting(None)
    devices: Any = setting("auto", stored=False)
    evaluator: str = setting("inprocess")
    n_workers: int | None = setting(None)
    ray_address: str | None = setting(None)
    ray_payload: str | None = setting(None)

    rest: ClassVar[str | None] = None
    """The name of a dict field that takes every keyword no field names (an open-ended
    shell such as ``EvoSax``, whose strategy takes the rest); None: those are refused."""
    positive_rest: ClassVar[frozenset[str]] = frozenset()
    """Keywords among :attr:`rest` that are step sizes or scales (finite and > 0)."""

    def __post_init__(self) -> None:
        owner = _OWNER.get() or type(self).__name__.removesuffix("Settings")
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(f.default, tuple) and isinstance(value, list):
                value = tuple(value)  # hashable, so equal settings compare equal
                object.__setattr__(self, f.name, value)
            if f.name == self.rest:  # open keywords, each checked under its own name
                for name, item in value.items():
                    self._check_float(owner, name, item, name in self.positive_rest)
                continue
            self._check_float(owner, f.name, value, False)
            if value is None and f.default is None:
                continue
            bound = f.metadata.get("size")
            if bound is not None and (
                isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= bound
            ):
                raise ValueError(
                    f"{owner}: {f.name} must be an integer from 1 to {bound}, got {value!r}."
                )
            if f.metadata.get("positive"):
                positive_float(f"{owner}: {f.name}", value)
            if f.metadata.get("optimizer") and not _is_transform(value):
                raise ValueError(
                    f"{owner}: {f.name} must be an optax GradientTransformation (with init "
                    f"and update) or None, got {value!r:.80}."
                )

    @staticmethod
    def _check_float(owner: str, name: str, value: Any, positive: bool) -> None:
        bad = nonfinite_setting(value, name)
        if bad is not None:
            raise ValueError(
                f"{owner}: {bad} must be a finite number, got {value!r:.80}. Non-finite "
                "settings would turn every parameter into NaN; give a finite value."
            )
        if positive and value is not None:
            positive_float(f"{owner}: {name}", value)

    # ------------------------------------------------------------ from keywords
    @classmethod
    def names(cls) -> tuple[str, ...]:
        """Every keyword, in the signature's order: ``pop_size``, the algorithm's own, then
        the rest of the shell's."""
        return tuple(f.name for f in cls._ordered())

    @classmethod
    def _ordered(cls) -> list[dataclasses.Field[Any]]:
        shell = {f.name for f in dataclasses.fields(Settings)} - {"pop_size"}
        fields = dataclasses.fields(cls)
        return sorted(fields, key=lambda f: (f.name in shell, f.name != "pop_size"))

    @classmethod
    def parse(cls, owner: str, kwargs: dict[str, Any]) -> Self:
        """The settings of ``owner(policy, env, **kwargs)``, checked.

        Raises:
            TypeError: a keyword no field names (with the closest names), unless the class
                collects the rest (:attr:`rest`).
            ValueError: a value the field's checks refuse (naming it).
        """
        names = cls.names()
        given = dict(kwargs)
        unknown = [k for k in given if k not in names or k == cls.rest]
        if unknown and cls.rest is None:
            hints = []
            for name in unknown:
                close = difflib.get_close_matches(name, list(names), n=1)
                hints.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
            raise TypeError(
                f"{owner} got unknown keyword(s) {', '.join(hints)}; help({owner}) lists "
                "every keyword."
            )
        if cls.rest is not None:
            given[cls.rest] = {k: given.pop(k) for k in unknown}
        token = _OWNER.set(owner)  # what the checks' messages name
        try:
            return cls(**given)
        finally:
            _OWNER.reset(token)

    # ------------------------------------------------------------ to and from saves
    def record(self) -> tuple[dict[str, Any], list[str]]:
        """What a save keeps: ``(JSON values of every stored field, the names of those that
        are not JSON and must be passed again to load)``. The :attr:`rest` field's keywords
        are recorded as keywords."""
        stored, needed = {}, []
        kept = {f.name: f.metadata.get("stored", True) for f in dataclasses.fields(self)}
        for name, value in self.keywords().items():
            plain = _plain(value)
            if _json(plain):
                stored[name] = plain
            elif kept.get(name, True):
                needed.append(name)
        return stored, needed

    def keywords(self) -> dict[str, Any]:
        """Every field as the keyword it was given as (the :attr:`rest` keywords spread)."""
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        if self.rest is not None:
            values.update(values.pop(self.rest))
        return values

    @classmethod
    def upgrade(cls, saved: dict[str, Any]) -> dict[str, Any]:
        """The keywords a save recorded, as this version must be given them to rebuild the
        model the save holds: each field the save did not record and whose default has
        changed since takes the default of then (its ``was``)."""
        old = {
            f.name: f.metadata["was"]
            for f in dataclasses.fields(cls)
            if f.metadata.get("was", MISSING) is not MISSING and f.name not in saved
        }
        return {**old, **saved}

    @classmethod
    def sizes(cls) -> dict[str, int]:
        """The size fields and their bounds (what a load checks before building)."""
        return {
            f.name: f.metadata["size"]
            for f in dataclasses.fields(cls)
            if f.metadata.get("size") is not None
        }

    @classmethod
    def individual_size(cls, kwargs: dict[str, Any], obs_size: int, num_outputs: int) -> int:
        """The numbers one individual holds, for a save's (validated) keywords: an MLP's
        parameter count by default. Bounds what a load may allocate."""
        arch = (kwargs.get("policy_kwargs") or {}).get("net_arch", DEFAULT_NET_ARCH)
        sizes = [obs_size, *arch, num_outputs]
        return sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))

    @classmethod
    def individuals_held(cls, kwargs: dict[str, Any]) -> tuple[int, str]:
        """How many individuals a model of a save's (validated) keywords holds, and what
        they are, for messages: the population by default."""
        return kwargs.get("pop_size", cls.default("pop_size")), "pop_size"

    @classmethod
    def default(cls, name: str) -> Any:
        """The default of the field ``name``."""
        return next(f.default for f in dataclasses.fields(cls) if f.name == name)

    # ------------------------------------------------------------ the signature
    @classmethod
    def signature(cls, head: list[inspect.Parameter] | None = None) -> inspect.Signature:
        """``(*positional, policy, env, *, <every field>)``: what ``help`` and
        ``inspect.signature`` show for the shell (set as its ``__signature__``)."""
        pk, kw = inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY
        params = [inspect.Parameter("policy", pk, annotation=str)]
        params.append(inspect.Parameter("env", pk, annotation=Any))
        params += head or []
        for f in cls._ordered():
            if f.name == cls.rest:
                continue
            params.append(inspect.Parameter(f.name, kw, default=f.default, annotation=f.type))
        if cls.rest is not None:
            params.append(inspect.Parameter(cls.rest, inspect.Parameter.VAR_KEYWORD))
        return inspect.Signature(params)


def accepted(build: Any, options: dict[str, Any]) -> dict[str, Any]:
    """The ``options`` a policy builder names in its signature (all of them when it takes
    ``**kwargs``): a keyword meant for one policy never reaches another."""
    params = inspect.signature(build).parameters.values()
    if any(p.kind is p.VAR_KEYWORD for p in params):
        return dict(options)
    names = {p.name for p in params}
    return {k: v for k, v in options.items() if k in names}


__all__ = [
    "MISSING",
    "Settings",
    "accepted",
    "optimizer_setting",
    "setting",
]
