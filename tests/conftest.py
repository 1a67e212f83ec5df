"""Shared fixtures: persistent compilation cache, strict JAX flags, a ``key`` fixture."""

from __future__ import annotations

import os
import pathlib
import re

import jax
import pytest

import evotrain  # noqa: F401 - sets MUJOCO_GL before any test imports MuJoCo (Brax)
from evotrain.zoo import host_cpu

# One cache per CPU model: JAX's cache key leaves the CPU out, and code XLA compiled for
# another model (a checkout moved between machines) may run there slowly, or not at all.
_CACHE = pathlib.Path(
    os.environ.get(
        "JAX_COMPILATION_CACHE_DIR",
        pathlib.Path(__file__).resolve().parents[1] / ".cache" / "jax",
    )
) / re.sub(r"[^A-Za-z0-9]+", "-", host_cpu()).strip("-")
jax.config.update("jax_compilation_cache_dir", str(_CACHE))
jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.5)
os.environ.setdefault("WANDB_MODE", "offline")


@pytest.fixture
def key() -> jax.Array:
    return jax.random.key(0)
