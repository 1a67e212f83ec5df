"""Field checks of a saved model's ``evotrain.json``: types, and bounds on every size.

A saved model is rebuilt from the constructor arguments its metadata records, so a
damaged or hand-edited size (``pop_size: 1000000000000``) would otherwise be allocated.
:func:`validate_metadata` refuses, before anything is built, any field of the wrong type;
:func:`validate_settings` any size outside the bounds the algorithm's settings declare
(:mod:`evotrain.algorithms.settings`): far above anything trained with evotrain, far below
what would exhaust a machine. This module imports only the standard library and :mod:`evotrain.limits`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Protocol

from evotrain.limits import (  # noqa: F401 - the bounds, re-exported
    MAX_ACTIVATE_TIME,
    MAX_CONNS,
    MAX_COUNT,
    MAX_ENV_SIZE,
    MAX_EPISODE_STEPS,
    MAX_EPISODES,
    MAX_LAYER_WIDTH,
    MAX_NET_DEPTH,
    MAX_NODES,
    MAX_POP_SIZE,
    MAX_POPULATION_ELEMENTS,
    MAX_TEXT,
)
from evotrain.persistence.integrity import is_safe_relative_path, is_sha256_hex

_MLP_DEFAULT_ARCH = [32, 32]
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _size(value: Any, name: str, low: int, high: int) -> str | None:
    if not _is_int(value) or not low <= value <= high:
        return f"{name} must be an integer from {low} to {high}, got {value!r}"
    return None


def _text(value: Any, name: str, nullable: bool = False) -> str | None:
    if value is None and nullable:
        return None
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        kind = "a text or null" if nullable else "a text"
        return f"{name} must be {kind} of at most {MAX_TEXT} characters, got {value!r:.80}"
    return None


def _check_files(files: Any) -> str | None:
    if not isinstance(files, dict) or not files:
        return "files must be a non-empty object of relative path -> sha256"
    for rel, digest in files.items():
        if not is_safe_relative_path(rel):
            return f"files lists {rel!r}, not a plain relative path inside the model folder"
        if not is_sha256_hex(digest):
            return f"files[{rel!r}] must be a 64-digit lowercase hex sha256, got {digest!r:.80}"
    return None


def _check_kwargs(meta: dict[str, Any]) -> str | None:
    kwargs = meta["kwargs"]
    if "seed" in kwargs and kwargs["seed"] is not None:
        if (problem := _size(kwargs["seed"], "kwargs.seed", -MAX_COUNT, MAX_COUNT)) is not None:
            return problem
    for name in ("policy_kwargs", "env_kwargs"):
        if kwargs.get(name) is not None and not isinstance(kwargs[name], dict):
            return f"kwargs.{name} must be an object or null, got {kwargs[name]!r:.80}"
    policy_kwargs = kwargs.get("policy_kwargs") or {}
    arch = policy_kwargs.get("net_arch", _MLP_DEFAULT_ARCH)
    if not isinstance(arch, list) or len(arch) > MAX_NET_DEPTH:
        return f"kwargs.policy_kwargs.net_arch must be a list of at most {MAX_NET_DEPTH} sizes"
    for width in arch:
        if problem := _size(width, "each kwargs.policy_kwargs.net_arch size", 1, MAX_LAYER_WIDTH):
            return problem
    length = (kwargs.get("env_kwargs") or {}).get("episode_length")
    if length is not None:
        if problem := _size(length, "kwargs.env_kwargs.episode_length", 1, MAX_EPISODE_STEPS):
            return problem
    return None


class DeclaredSettings(Protocol):
    """What :func:`validate_settings` reads of an algorithm's settings class
    (:class:`evotrain.algorithms.settings.Settings`)."""

    rest: str | None

    def names(self) -> tuple[str, ...]: ...
    def sizes(self) -> dict[str, int]: ...
    def default(self, name: str) -> Any: ...
    def individual_size(self, kwargs: dict[str, Any], obs_size: int, num_outputs: int) -> int: ...
    def individuals_held(self, kwargs: dict[str, Any]) -> tuple[int, str]: ...


def validate_settings(meta: dict[str, Any], settings: DeclaredSettings) -> str | None:
    """What is wrong with a (validated) ``meta``'s keywords for the algorithm whose
    settings class is ``settings``, or None: every size field within its bound (null only
    where null is the default), the population's numbers (``pop_size`` times one
    individual's, by the class's formula) within :data:`MAX_POPULATION_ELEMENTS`, and no
    keyword the class does not take. Allocates nothing."""
    kwargs = meta["kwargs"]
    for name, high in settings.sizes().items():
        if name in kwargs and not (kwargs[name] is None and settings.default(name) is None):
            if problem := _size(kwargs[name], f"kwargs.{name}", 1, high):
                return problem
    spec = meta["env_spec"]
    individual = settings.individual_size(kwargs, spec["obs_size"], spec["num_outputs"])
    count, what = settings.individuals_held(kwargs)
    total = count * individual
    if total > MAX_POPULATION_ELEMENTS:
        return (
            f"{what} times the size of one individual ({individual}) is {total}, above "
            f"the bound {MAX_POPULATION_ELEMENTS}"
        )
    if settings.rest is None:
        known = settings.names()
        unknown = [k for k in kwargs if k not in known]
        if unknown:
            return f"kwargs.{unknown[0]} is not a setting of {meta['algorithm']}"
    return None


def _problems(meta: dict[str, Any], sealed: bool, state_dir: str) -> Iterator[str | None]:
    """Each check's problem (None when it passes), lazily: a check runs only when the
    ones before it passed, so it may rely on their fields' types."""
    algorithm = meta.get("algorithm")
    if not isinstance(algorithm, str) or not _NAME.fullmatch(algorithm):
        yield f"algorithm must be a class name, got {algorithm!r:.80}"
    yield _text(meta.get("policy"), "policy")
    yield _text(meta.get("env"), "env", nullable=True)
    if not isinstance(meta.get("kwargs"), dict):
        yield f"kwargs must be an object, got {meta.get('kwargs')!r:.80}"
    required = meta.get("kwargs_required_at_load")
    if not isinstance(required, list) or not all(
        isinstance(k, str) and _NAME.fullmatch(k) for k in required
    ):
        yield f"kwargs_required_at_load must be a list of argument names, got {required!r:.80}"
    spec = meta.get("env_spec")
    if not isinstance(spec, dict):
        yield f"env_spec must be an object, got {spec!r:.80}"
    yield _text(spec.get("env_id"), "env_spec.env_id")
    yield _size(spec.get("obs_size"), "env_spec.obs_size", 1, MAX_ENV_SIZE)
    yield _text(spec.get("action"), "env_spec.action")
    yield _size(spec.get("num_outputs"), "env_spec.num_outputs", 1, MAX_ENV_SIZE)
    yield _text(spec.get("describe"), "env_spec.describe")
    yield _size(meta.get("seed"), "seed", -MAX_COUNT, MAX_COUNT)
    yield _size(meta.get("num_generations"), "num_generations", 0, MAX_COUNT)
    yield _size(meta.get("num_timesteps"), "num_timesteps", 0, MAX_COUNT)
    yield _check_kwargs(meta)
    if sealed:
        yield _check_files(meta.get("files"))
        files = meta["files"]
        if "history.json" not in files or not any(k.startswith(f"{state_dir}/") for k in files):
            yield f"files must list history.json and the files of {state_dir}/"


def validate_metadata(meta: dict[str, Any], sealed: bool, state_dir: str) -> str | None:
    """What is wrong with the parsed ``evotrain.json`` ``meta`` (format and version
    already checked), or None when every field is valid.

    Args:
        meta: the document.
        sealed: a format 2 document, which must record ``files`` (``history.json`` and
            the files of ``state_dir`` included).
        state_dir: the folder of the Orbax checkpoint.
    """
    return next((p for p in _problems(meta, sealed, state_dir) if p is not None), None)


__all__ = [
    "MAX_ACTIVATE_TIME",
    "MAX_CONNS",
    "MAX_COUNT",
    "MAX_ENV_SIZE",
    "MAX_EPISODES",
    "MAX_EPISODE_STEPS",
    "MAX_LAYER_WIDTH",
    "MAX_NET_DEPTH",
    "MAX_NODES",
    "MAX_POPULATION_ELEMENTS",
    "MAX_POP_SIZE",
    "MAX_TEXT",
    "DeclaredSettings",
    "validate_metadata",
    "validate_settings",
]
