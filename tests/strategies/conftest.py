"""Strategies parametrized over the registry of this package's strategies."""

from __future__ import annotations

import jax.numpy as jnp
import optax
import pytest

from evotrain.strategies import GAConfig, GAStrategy, OpenESConfig, OpenESStrategy

TARGET = 1.5


def sphere(population):
    """Maximized at every coordinate == TARGET; ``(pop, dims) -> (pop,)``."""
    return -jnp.sum(jnp.square(population - TARGET), axis=-1)


def make_open_es(pop_size=32, num_dims=5):
    return OpenESStrategy(OpenESConfig(pop_size=pop_size, num_dims=num_dims), optax.adam(0.1))


def make_ga(pop_size=32, num_dims=5):
    return GAStrategy(GAConfig(pop_size=pop_size, num_dims=num_dims, elite_size=2))


STRATEGIES = {"open_es": make_open_es, "ga": make_ga}


@pytest.fixture(params=sorted(STRATEGIES))
def strategy(request):
    return STRATEGIES[request.param]()
