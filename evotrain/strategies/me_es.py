"""ME-ES (Colas, Madhavan, Huizinga & Clune 2020): MAP-Elites whose variation is
OpenAI-ES steps, alternating between climbing the fitness and the novelty.

An OpenAI-ES (:class:`~evotrain.strategies.open_es.OpenESStrategy`) starts from an elite
and takes ``run_length`` search-gradient steps; every batch it samples goes into the
:class:`~evotrain.qd.Archive`. Runs alternate:

- *exploit*: the ES climbs the fitness, starting from the archive's fittest elite;
- *explore*: it climbs the novelty (a descriptor's mean distance to its ``k`` nearest
  elites, read before the batch is inserted), starting from the most novel elite.

Each run restarts the ES's optimizer and step size. The first run starts from the
initializer's draw and exploits.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import jax
import jax.numpy as jnp
import optax
from flax import struct

from evotrain.evaluation.result import Scores, as_evaluation
from evotrain.qd.archive import Archive, empty_archive, fittest, insert_evaluated
from evotrain.qd.layout import Layout
from evotrain.strategies.base import ConfiguredStrategy, callable_key, shared
from evotrain.strategies.open_es import OpenESConfig, OpenESParams, OpenESState, OpenESStrategy
from evotrain.types import Array, Metrics, Population, PRNGKey

Initializer = Callable[[PRNGKey], Array]


@dataclasses.dataclass(frozen=True)
class MEESConfig:
    """Shape-fixing settings.

    Attributes:
        pop_size: the ES's batch (even: antithetic sampling).
        num_dims: length of the parameter vector.
        layout: the archive's cells.
        run_length: ES steps before the next run starts from another elite.
        novelty_k: nearest elites the novelty averages over.
        qd_offset: subtracted from every elite's fitness in the logged QD score.
    """

    pop_size: int
    num_dims: int
    layout: Layout
    run_length: int = 10
    novelty_k: int = 10
    qd_offset: float = 0.0

    def __post_init__(self) -> None:
        if self.run_length < 1 or self.novelty_k < 1:
            raise ValueError(
                f"run_length and novelty_k must be positive, got {self.run_length} and "
                f"{self.novelty_k}."
            )


@struct.dataclass
class MEESState:
    """Attributes:
    archive: the elites.
    es: the OpenAI-ES of the current run.
    explore: ``()`` bool: the run climbs the novelty (else the fitness).
    step: ``()`` int32 steps taken in the current run.
    generation: ``()`` int32.
    """

    archive: Archive
    es: OpenESState
    explore: Array
    step: Array
    generation: Array


def novelty(descriptors: Array, archive: Archive, k: int) -> Array:
    """``(n,)`` mean distance of each of ``(n, d)`` descriptors to its ``k`` nearest
    filled cells' elites (0 while the archive is empty; fewer when fewer are filled)."""
    d2 = jnp.sum((descriptors[:, None, :] - archive.descriptors[None, :, :]) ** 2, axis=-1)
    d2 = jnp.where(archive.filled[None, :], d2, jnp.inf)
    k = min(k, archive.fitness.shape[0])
    nearest = -jax.lax.top_k(-d2, k)[0]  # (n, k) the smallest squared distances
    found = jnp.isfinite(nearest)
    total = jnp.sum(jnp.where(found, jnp.sqrt(jnp.where(found, nearest, 0.0)), 0.0), axis=1)
    return total / jnp.maximum(jnp.sum(found, axis=1), 1)


class MEESStrategy(ConfiguredStrategy):
    """ME-ES's explore-exploit variant (see the module docs).

    Args:
        config: shape-fixing settings.
        optimizer: the ES's optax transform (default Adam at 0.01).
        initializer: draws the first run's start from a key (default: zeros).
    """

    def __init__(
        self,
        config: MEESConfig,
        optimizer: optax.GradientTransformation | None = None,
        initializer: Initializer | None = None,
    ) -> None:
        super().__init__(config, initializer)
        self.optimizer = optimizer if optimizer is not None else shared(optax.adam, 0.01)
        es_config = OpenESConfig(pop_size=config.pop_size, num_dims=config.num_dims)
        self.es = OpenESStrategy(es_config, self.optimizer, initializer)

    config: MEESConfig

    def _key(self) -> tuple:
        return (*super()._key(), callable_key(self.optimizer))

    @property
    def default_params(self) -> OpenESParams:
        return OpenESParams(sigma_init=0.02, sigma_decay=1.0, sigma_limit=0.02)

    def init(self, key: PRNGKey, params: OpenESParams) -> MEESState:
        genotype = jnp.zeros((self.config.num_dims,), jnp.float32)
        return MEESState(
            archive=empty_archive(self.config.layout, genotype),
            es=self.es.init(key, params),
            explore=jnp.asarray(False),
            step=jnp.zeros((), jnp.int32),
            generation=jnp.zeros((), jnp.int32),
        )

    def ask(
        self, key: PRNGKey, state: MEESState, params: OpenESParams
    ) -> tuple[Population, MEESState]:
        """The ES's antithetic batch around its mean."""
        population, es = self.es.ask(key, state.es, params)
        return population, state.replace(es=es)

    def tell(
        self,
        key: PRNGKey,
        population: Population,
        evaluation: Scores,
        state: MEESState,
        params: OpenESParams,
    ) -> tuple[MEESState, Metrics]:
        """Inserts the batch, steps the ES on the fitness or the novelty, and starts the
        next run from an elite when this one is over.

        Raises:
            ValueError: the evaluation carries no descriptors (at trace time).
        """
        c = self.config
        ev = as_evaluation(evaluation)
        old = state.archive
        archive, _, metrics = insert_evaluated(old, c.layout, population, ev, c.qd_offset)
        fitness = jnp.asarray(ev.fitness, jnp.float32)
        described = jnp.where(jnp.isfinite(ev.descriptors), ev.descriptors, 0.0)
        novel = jnp.where(jnp.isfinite(fitness), novelty(described, old, c.novelty_k), -jnp.inf)
        objective = jnp.where(state.explore, novel, fitness)
        k_tell, k_start = jax.random.split(key)
        es, _ = self.es.tell(k_tell, population, objective, state.es, params)
        step = state.step + 1
        over = step >= c.run_length

        def next_run() -> tuple[OpenESState, Array]:
            explore = ~state.explore
            elite_novelty = novelty(archive.descriptors, archive, c.novelty_k + 1)
            score = jnp.where(explore, elite_novelty, archive.fitness)
            start = archive.genotypes[jnp.argmax(jnp.where(archive.filled, score, -jnp.inf))]
            fresh = self.es.init(k_start, params)
            return fresh.replace(mean=start, opt_state=self.optimizer.init(start)), explore

        es, explore = jax.lax.cond(
            over & jnp.any(archive.filled), next_run, lambda: (es, state.explore)
        )
        new = MEESState(
            archive=archive,
            es=es,
            explore=explore,
            step=jnp.where(over, 0, step),
            generation=state.generation + 1,
        )
        return new, {**metrics, "explore": state.explore.astype(jnp.int32)}

    def policy_params(self, state: MEESState) -> Array:
        """The archive's fittest elite (the ES's mean while it is empty)."""
        return fittest(state.archive, state.es.mean)


__all__ = ["MEESConfig", "MEESState", "MEESStrategy", "novelty"]
