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


# The integration phase's longest tests first (their time in a clean-clone `make test`,
# BENCHMARKS.md): pytest-xdist's worksteal hands out tests in collection order, so a long
# learning test collected last would run alone while the other worker idles. The unit
# phase keeps its order: collected first, its Ray- and process-heavy files ran at the same
# time and the phase took 21m39s instead of 17m35s.
HEAVY_FIRST = (
    "tests_integration/test_brax_devices.py",
    "tests_integration/test_evosax_learning.py",
    "tests_integration/test_learning.py",
    "tests_integration/test_neat_learning.py",
    "tests_integration/test_hyperneat_learning.py",
)


# The zoo's checks of one agent share its loaded model (tests_integration/test_zoo.py):
# collected next to each other, they run in one worker.
BY_AGENT = "tests_integration/test_zoo.py"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Collects :data:`HEAVY_FIRST`'s files first (in that order), the rest as found; the
    tests of one file keep their order, except :data:`BY_AGENT`'s, grouped by agent."""
    rank = {path: i for i, path in enumerate(HEAVY_FIRST)}

    def key(item: pytest.Item) -> tuple[int, str]:
        path = item.nodeid.split("::")[0]
        agent = ""
        if path == BY_AGENT and hasattr(item, "callspec"):
            agent = str(item.callspec.params.get("agent_id", ""))
        return rank.get(path, len(HEAVY_FIRST)), agent

    items.sort(key=key)
