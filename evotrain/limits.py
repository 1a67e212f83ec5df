"""The bounds on every size a model may ask for, in one place.

Far above anything trained with evotrain and far below what would exhaust a machine: the
constructors refuse what lies outside them (an episode horizon of 10**12 steps) and so do
loads of saved models (:mod:`evotrain.persistence.validate`). This module imports only the standard library.
"""

from __future__ import annotations

import operator

MAX_ENV_SIZE = 1 << 16
"""Observation size and number of action outputs (``env_spec``)."""
MAX_POP_SIZE = 1 << 20
"""``pop_size`` and the counts bounded by it (``pop_batch_size``, ``max_species``, ...)."""
MAX_NET_DEPTH = 64
"""Hidden layers of ``policy_kwargs["net_arch"]``."""
MAX_LAYER_WIDTH = 1 << 16
"""Units of one hidden layer."""
MAX_NODES = 1 << 16
"""NEAT ``max_nodes``."""
MAX_CONNS = 1 << 20
"""NEAT ``max_conns``."""
MAX_EPISODES = 1 << 16
"""``n_episodes`` per individual."""
MAX_EPISODE_STEPS = 1 << 24
"""``max_episode_steps`` and ``env_kwargs["episode_length"]``."""
MAX_ACTIVATE_TIME = 1 << 10
"""NEAT ``activate_time``."""
MAX_POPULATION_ELEMENTS = 1 << 31
"""``pop_size`` times the numbers of one individual (MLP parameters, NEAT node plus
connection capacity)."""
MAX_COUNT = 1 << 62
"""``num_generations``, ``num_timesteps`` and the magnitude of ``seed``."""
MAX_TEXT = 4096
"""Length of a text field (ids, names)."""


def check_episode_steps(name: str, value: object) -> int:
    """``value`` as an episode horizon, or a ValueError naming ``name`` if it is not an
    integer (Python's or NumPy's) from 1 to :data:`MAX_EPISODE_STEPS`."""
    steps = None
    if not isinstance(value, bool) and hasattr(value, "__index__"):
        steps = operator.index(value)
    if steps is None or not 1 <= steps <= MAX_EPISODE_STEPS:
        raise ValueError(
            f"{name} must be an integer from 1 to {MAX_EPISODE_STEPS} (steps of one "
            f"episode), got {value!r}."
        )
    return steps
