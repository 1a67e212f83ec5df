"""Shared fixtures: persistent compilation cache, strict JAX flags, a ``key`` fixture."""

from __future__ import annotations

import os
import pathlib

import jax
import pytest

import evotrain  # noqa: F401 - sets MUJOCO_GL before any test imports MuJoCo (Brax)

_CACHE = os.environ.get(
    "JAX_COMPILATION_CACHE_DIR",
    str(pathlib.Path(__file__).resolve().parents[1] / ".cache" / "jax"),
)
jax.config.update("jax_compilation_cache_dir", _CACHE)
jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.5)
os.environ.setdefault("WANDB_MODE", "offline")


@pytest.fixture
def key() -> jax.Array:
    return jax.random.key(0)
