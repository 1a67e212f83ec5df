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


# The heaviest test files first (their time in a clean-clone `make test`, BENCHMARKS.md):
# pytest-xdist hands files (unit phase) or tests (integration phase) to its workers in
# collection order, so a long file collected last runs alone while the other worker idles.
HEAVY_FIRST = (
    "tests_integration/test_brax_devices.py",
    "tests_integration/test_evosax_learning.py",
    "tests_integration/test_learning.py",
    "tests_integration/test_neat_learning.py",
    "tests_integration/test_hyperneat_learning.py",
    "tests/test_examples.py",
    "tests/evaluation/test_ray_pool.py",
    "tests/training/test_sharding.py",
    "tests/persistence/test_checkpoint.py",
    "tests/strategies/test_common.py",
    "tests/test_readme.py",
    "tests/persistence/test_load_checks_arrays.py",
    "tests/cli/test_cli_zoo.py",
    "tests/viz/test_render.py",
    "tests/callbacks/test_checkpoint_callback.py",
    "tests/algorithms/test_evosax_family.py",
    "tests/distributed/test_failures.py",
    "tests/cli/test_cli_distributed.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Collects :data:`HEAVY_FIRST`'s files first (in that order), the rest as found; the
    tests of one file keep their order."""
    rank = {path: i for i, path in enumerate(HEAVY_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(HEAVY_FIRST)))
