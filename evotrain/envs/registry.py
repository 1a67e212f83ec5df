"""Turns env ids and env objects into adapters, from one table of env families.

Ids: ``"brax:hopper"``, ``"gymnax:CartPole-v1"``, ``"gymnasium:CartPole-v1"``, ``"xor"``.
An id with no prefix resolves to the first family, in :data:`FAMILIES` order, that takes
bare ids and has it (the function problems, then gymnax, then Gymnasium). Env objects of
each family (a gymnax env, a brax env, a gymnasium env, a :class:`FunctionFit`, or an
adapter) are accepted as they are.

Adding an env family is one module and one :class:`EnvFamily` row: the module defines

- ``registered_ids() -> list[str]``: every id it knows (for suggestions);
- ``from_id(name, **kwargs) -> Env | None``: the adapter for one of its ids (None: not its);
- ``from_object(obj, **kwargs) -> Env | None``: the adapter for one of its env objects
  (None: not its).

The table imports nothing: a family's module is imported when an id or object may be its.
"""

from __future__ import annotations

import collections
import dataclasses
import difflib
import importlib
from types import ModuleType
from typing import Any

from evotrain.envs.base import Env


@dataclasses.dataclass(frozen=True)
class EnvFamily:
    """One env family: the prefix of its ids and the module that adapts them.

    Attributes:
        prefix: the id prefix (``"brax"`` in ``"brax:hopper"``), lower case.
        module: the module with ``registered_ids``, ``from_id`` and ``from_object``.
        title: how messages name the family (``"Brax"``).
        example: an id to show in messages (``"brax:hopper"``).
        bare_ids: whether an id without a prefix may resolve to this family.
        shown_bare: whether messages show its ids without the prefix (``"xor"``, not
            ``"function:xor"``).
    """

    prefix: str
    module: str
    title: str
    example: str
    bare_ids: bool = False
    shown_bare: bool = False

    def load(self) -> ModuleType:
        """The family's module (imported on first use)."""
        return importlib.import_module(self.module)

    def qualified(self, name: str) -> str:
        """The id messages show for one of the family's names."""
        return name if self.shown_bare else f"{self.prefix}:{name}"


FAMILIES: list[EnvFamily] = [
    EnvFamily("function", "evotrain.envs.function_fit", "the function problems", "xor", True, True),
    EnvFamily("gymnax", "evotrain.envs.gymnax", "gymnax", "gymnax:CartPole-v1", True),
    EnvFamily("brax", "evotrain.envs.brax", "Brax", "brax:hopper"),
    EnvFamily("gymnasium", "evotrain.envs.gymnasium", "Gymnasium", "gymnasium:CartPole-v1", True),
]
"""Every env family, in the order bare ids and env objects are tried."""


class UnknownEnvError(ValueError):
    """An env id that no family knows."""


def family(prefix: str) -> EnvFamily | None:
    """The family of an id prefix (any case), or None."""
    return next((f for f in FAMILIES if f.prefix == prefix.lower()), None)


def _unknown(env_id: str, only: EnvFamily | None) -> UnknownEnvError:
    families = [only] if only else FAMILIES
    candidates: dict[str, str] = {}
    for fam in families:
        for name in fam.load().registered_ids():
            full = fam.qualified(name)
            candidates[name.lower()] = full
            candidates[full.lower()] = full
    bare = env_id.split(":", 1)[-1].lower()
    close = difflib.get_close_matches(bare, candidates.keys(), n=5, cutoff=0.5)
    suggestions = list(dict.fromkeys(candidates[c] for c in close))
    titles = [f.title for f in FAMILIES]
    where = f"in {only.title}" if only else f"in {', '.join(titles[:-1])} or {titles[-1]}"
    hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
    examples = [repr(f.example) for f in FAMILIES]
    return UnknownEnvError(
        f"Unknown env id {env_id!r}: no such environment {where}.{hint} "
        f"Ids look like {', '.join(examples[:-1])} or {examples[-1]}."
    )


ADAPTERS = 16
"""Jittable env adapters kept per id and options (least recently made dropped)."""
_adapters: collections.OrderedDict[tuple, Env] = collections.OrderedDict()


def _from_id(env_id: str, kwargs: dict[str, Any]) -> Env:
    """The adapter for an id: one per id and options for jittable envs (adapters are
    immutable), so that models of equal settings share their compiled programs
    (:func:`evotrain.training.program.make_program`); a new one for host envs, which hold
    open environments."""
    key: tuple | None = (env_id, tuple(sorted(kwargs.items())))
    try:
        hash(key)
    except TypeError:
        key = None
    if key is not None and key in _adapters:
        _adapters.move_to_end(key)
        return _adapters[key]
    env = _adapt_id(env_id, kwargs)
    if key is not None and env.jittable:
        _adapters[key] = env
        while len(_adapters) > ADAPTERS:
            _adapters.popitem(last=False)
    return env


def _adapt_id(env_id: str, kwargs: dict[str, Any]) -> Env:
    prefix, sep, name = env_id.partition(":")
    if sep:
        only = family(prefix)
        if only is None:
            raise _unknown(env_id, None)
        candidates = [only]
    else:
        only, name = None, env_id
        candidates = [f for f in FAMILIES if f.bare_ids]
    for fam in candidates:
        env = fam.load().from_id(name, **kwargs)
        if env is not None:
            return env
    raise _unknown(env_id, only)


def make_env(env: Any, **kwargs: Any) -> Env:
    """Returns the adapter for an env id or env object.

    Args:
        env: an id string, an adapter, or an env object of a supported family. A gymnax
            env may be passed with its params as ``(env, env_params)``.
        **kwargs: family options: ``backend``/``episode_length`` (brax), ``max_steps``
            (gymnax, Gymnasium), ``env_params`` (gymnax).

    Returns:
        An :class:`~evotrain.envs.base.Env` adapter.

    Raises:
        UnknownEnvError: for an id no family knows; the message suggests close ids.
        TypeError: for an object of no supported family.
    """
    if isinstance(env, Env):
        if kwargs:
            raise ValueError(
                f"Env options {sorted(kwargs)} cannot be applied to an already adapted env; "
                "pass them when creating it."
            )
        return env
    if isinstance(env, str):
        return _from_id(env, kwargs)
    for fam in FAMILIES:
        adapter = fam.load().from_object(env, **kwargs)
        if adapter is not None:
            return adapter
    titles = ", ".join(f.title for f in FAMILIES if f.prefix != "function")
    raise TypeError(
        f"Cannot use an object of type {type(env).__name__} as an environment: pass an id "
        f"string, an env of {titles}, or evotrain.envs.FunctionFit."
    )
