"""Shared fixtures: persistent compilation cache, strict JAX flags, a ``key`` fixture."""

from __future__ import annotations

import os
import pathlib

import jax
import pytest

import evotrain  # noqa: F401 - sets MUJOCO_GL before any test imports MuJoCo (Brax)
from evotrain.runtime.host import CACHE_ENV, use_compilation_cache

# JAX's persistent cache, one folder per CPU model (see evotrain.runtime.host.host_cache_dir).
# Child processes that tests start get this folder through JAX_COMPILATION_CACHE_DIR.
_CACHE = use_compilation_cache(
    os.environ.get(CACHE_ENV, pathlib.Path(__file__).resolve().parents[1] / ".cache" / "jax"),
    min_compile_time_s=0.5,
)
os.environ[CACHE_ENV] = str(_CACHE)
os.environ.setdefault("WANDB_MODE", "offline")


@pytest.fixture
def key() -> jax.Array:
    return jax.random.key(0)
