"""A strategy without the trainer: bare ask/tell on your own fitness function.

Every strategy is a set of pure functions (``init``, ``ask``, ``tell``), so a whole
generation can be jitted with your own evaluation.

    python examples/ask_tell.py
"""

import os

import jax
import jax.numpy as jnp

from evotrain.strategies.open_es import OpenESConfig, OpenESParams, OpenESStrategy

SMOKE = os.environ.get("EVOTRAIN_SMOKE") == "1"  # the test suite runs a tiny version


def fitness(x):  # maximized: the negative sphere, best at (1, 1, ..., 1)
    return -jnp.sum((x - 1.0) ** 2, axis=-1)


strategy = OpenESStrategy(OpenESConfig(pop_size=32, num_dims=10))
params = OpenESParams(sigma_init=0.3)
state = strategy.init(jax.random.key(0), params)


@jax.jit
def generation(key, state):
    population, state = strategy.ask(key, state, params)  # (32, 10)
    state, metrics = strategy.tell(key, population, fitness(population), state, params)
    return state, metrics


key = jax.random.key(1)
for _ in range(5 if SMOKE else 300):
    key, sub = jax.random.split(key)
    state, _ = generation(sub, state)
print("best guess:", jnp.round(strategy.policy_params(state), 2))
