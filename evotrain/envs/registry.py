"""Turns env ids and env objects into adapters.

Ids: ``"brax:hopper"``, ``"gymnax:CartPole-v1"``, ``"gymnasium:CartPole-v1"``, ``"xor"``.
An id with no prefix resolves to gymnax when gymnax has it, else to Gymnasium. Env objects
of each family (a gymnax env, a brax env, a gymnasium env, a :class:`FunctionFit`, or an
adapter) are accepted as they are.
"""

from __future__ import annotations

import difflib
from typing import Any

from evotrain.envs.base import Env

FAMILIES = ("gymnax", "brax", "gymnasium", "function")
_FUNCTION_IDS = ("xor",)


class UnknownEnvError(ValueError):
    """An env id that no family knows."""


def _ids_of(family: str) -> list[str]:
    if family == "gymnax":
        from evotrain.envs import gymnax

        return gymnax.registered_ids()
    if family == "brax":
        from evotrain.envs import brax

        return brax.registered_ids()
    if family == "gymnasium":
        from evotrain.envs import gymnasium

        return gymnasium.registered_ids()
    return list(_FUNCTION_IDS)


def _unknown(env_id: str, family: str | None) -> UnknownEnvError:
    families = [family] if family else list(FAMILIES)
    candidates: dict[str, str] = {}
    for fam in families:
        for name in _ids_of(fam):
            full = name if fam == "function" else f"{fam}:{name}"
            candidates[name.lower()] = full
            candidates[full.lower()] = full
    bare = env_id.split(":", 1)[-1].lower()
    close = difflib.get_close_matches(bare, candidates.keys(), n=5, cutoff=0.5)
    suggestions = list(dict.fromkeys(candidates[c] for c in close))
    where = f"in {family}" if family else "in gymnax, brax, Gymnasium or the function problems"
    hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
    return UnknownEnvError(
        f"Unknown env id {env_id!r}: no such environment {where}.{hint} "
        "Ids look like 'gymnax:CartPole-v1', 'brax:hopper', 'gymnasium:CartPole-v1' or 'xor'."
    )


def _from_id(env_id: str, kwargs: dict[str, Any]) -> Env:
    family, sep, name = env_id.partition(":")
    if not sep:
        family, name = "", env_id
    family = family.lower()
    if family and family not in FAMILIES:
        raise _unknown(env_id, None)
    if family in ("", "function") and name.lower() in _FUNCTION_IDS:
        from evotrain.envs.function_fit import FunctionFit

        return FunctionFit.xor()
    if family == "function":
        raise _unknown(env_id, "function")
    if family in ("", "gymnax") and name in _ids_of("gymnax"):
        from evotrain.envs.gymnax import GymnaxEnv

        return GymnaxEnv(name, **kwargs)
    if family == "brax" and name in _ids_of("brax"):
        from evotrain.envs.brax import BraxEnv

        return BraxEnv(name, **kwargs)
    if family in ("", "gymnasium") and name in _ids_of("gymnasium"):
        from evotrain.envs.gymnasium import GymnasiumEnv

        return GymnasiumEnv(name, **kwargs)
    raise _unknown(env_id, family or None)


def _adapter_for_object(env: Any, kwargs: dict[str, Any]) -> Env | None:
    module = type(env).__module__.split(".")[0]
    if module == "gymnax":
        from evotrain.envs.gymnax import GymnaxEnv

        return GymnaxEnv(env=env, **kwargs)
    if module == "brax":
        from evotrain.envs.brax import BraxEnv

        return BraxEnv(env=env, **kwargs)
    try:
        import gymnasium
    except ImportError:  # pragma: no cover - gymnasium is a dependency
        return None
    if isinstance(env, gymnasium.Env):
        from evotrain.envs.gymnasium import GymnasiumEnv

        return GymnasiumEnv(env=env, **kwargs)
    return None


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
    if isinstance(env, tuple) and len(env) == 2 and type(env[0]).__module__.startswith("gymnax"):
        from evotrain.envs.gymnax import GymnaxEnv

        return GymnaxEnv(env=env[0], env_params=env[1], **kwargs)
    adapter = _adapter_for_object(env, kwargs)
    if adapter is None:
        raise TypeError(
            f"Cannot use an object of type {type(env).__name__} as an environment: pass an id "
            "string, a gymnax/brax/Gymnasium env, or evotrain.envs.FunctionFit."
        )
    return adapter
