"""CMA-ME (Fontaine et al. 2020) and CMA-MAE (Fontaine & Nikolaidis 2023): a CMA-ES
emitter that climbs the archive's improvement instead of the fitness.

Each generation the CMA-ES (evosax's ``CMA_ES``, through
:class:`~evotrain.strategies.evosax.EvosaxStrategy`) samples a batch; the batch goes into
the :class:`~evotrain.qd.Archive` (:func:`~evotrain.qd.insert`), and the CMA-ES is told a
ranking of the batch rather than its fitness:

- CMA-ME (``learning_rate=1``): candidates that filled a new cell first, by fitness, then
  the rest by how much they beat their cell's elite (``f - elite``; negative when they did
  not);
- CMA-MAE (``learning_rate < 1``): every candidate by ``f - t``, ``t`` its cell's
  acceptance threshold, which starts at ``threshold_min`` and moves towards the fitness
  of what is accepted at the archive learning rate (``learning_rate=0`` ranks by fitness
  alone, as CMA-ES does).

When a generation improves nothing (no candidate became an elite, or with CMA-MAE none
beat its threshold) the CMA-ES restarts from an elite drawn uniformly from the archive,
with its first step size. Invalid candidates (non-finite fitness or descriptor) rank last.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

import jax
import jax.numpy as jnp
from flax import struct

from evotrain.evaluation.result import Scores, as_evaluation
from evotrain.qd.archive import Archive, empty_archive, fittest, insert_evaluated
from evotrain.qd.layout import Layout
from evotrain.strategies.base import ConfiguredStrategy
from evotrain.strategies.evosax import EvosaxState, EvosaxStrategy
from evotrain.strategies.map_elites import uniform_filled
from evotrain.types import Array, Metrics, Population, PRNGKey, PyTree

Initializer = Callable[[PRNGKey], Array]


@dataclasses.dataclass(frozen=True)
class CMAMEConfig:
    """Shape-fixing settings.

    Attributes:
        pop_size: the emitter's batch per generation.
        num_dims: length of the parameter vector.
        layout: the archive's cells.
        learning_rate: the archive learning rate in ``[0, 1]``: 1 is CMA-ME, below 1
            CMA-MAE.
        threshold_min: CMA-MAE's first threshold (finite when ``learning_rate < 1``).
        sigma0: the CMA-ES's first step size (and at every restart).
        qd_offset: subtracted from every elite's fitness in the logged QD score.
    """

    pop_size: int
    num_dims: int
    layout: Layout
    learning_rate: float = 1.0
    threshold_min: float = -math.inf
    sigma0: float = 0.1
    qd_offset: float = 0.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.learning_rate <= 1.0:
            raise ValueError(f"learning_rate must be in [0, 1], got {self.learning_rate}.")
        if self.learning_rate < 1.0 and not math.isfinite(self.threshold_min):
            raise ValueError(
                f"CMA-MAE (learning_rate={self.learning_rate} < 1) needs a finite "
                "threshold_min: the lowest fitness worth keeping."
            )
        if not (self.sigma0 > 0 and math.isfinite(self.sigma0)):
            raise ValueError(f"sigma0 must be a finite positive number, got {self.sigma0}.")
        if self.pop_size < 2 or self.num_dims < 1:
            raise ValueError(
                f"pop_size must be at least 2 and num_dims positive, got {self.pop_size} and "
                f"{self.num_dims}."
            )


@struct.dataclass
class CMAMEState:
    """Attributes:
    archive: the elites and CMA-MAE thresholds.
    es: the CMA-ES emitter's state.
    added: ``()`` int32 candidates of the last batch that became elites.
    restarts: ``()`` int32 restarts of the emitter so far.
    generation: ``()`` int32.
    """

    archive: Archive
    es: EvosaxState
    added: Array
    restarts: Array
    generation: Array


class CMAMEStrategy(ConfiguredStrategy):
    """CMA-ME / CMA-MAE with one CMA-ES emitter (see the module docs).

    Args:
        config: shape-fixing settings.
        initializer: draws the first mean from a key (default: zeros).
    """

    config: CMAMEConfig

    def __init__(self, config: CMAMEConfig, initializer: Initializer | None = None) -> None:
        super().__init__(config, initializer)
        self.es = EvosaxStrategy(
            "CMA_ES",
            config.num_dims,
            config.pop_size,
            initializer=initializer,
            std_init=config.sigma0,
        )

    @property
    def default_params(self) -> PyTree:
        """The CMA-ES's ``Params`` (evosax's, with ``std_init = sigma0``)."""
        return self.es.default_params

    def init(self, key: PRNGKey, params: PyTree) -> CMAMEState:
        c = self.config
        genotype = jnp.zeros((c.num_dims,), jnp.float32)
        return CMAMEState(
            archive=empty_archive(c.layout, genotype, c.threshold_min),
            es=self.es.init(key, params),
            added=jnp.zeros((), jnp.int32),
            restarts=jnp.zeros((), jnp.int32),
            generation=jnp.zeros((), jnp.int32),
        )

    def ask(self, key: PRNGKey, state: CMAMEState, params: PyTree) -> tuple[Population, CMAMEState]:
        """The CMA-ES's batch ``(pop_size, num_dims)``."""
        population, es = self.es.ask(key, state.es, params)
        return population, state.replace(es=es)

    def tell(
        self,
        key: PRNGKey,
        population: Population,
        evaluation: Scores,
        state: CMAMEState,
        params: PyTree,
    ) -> tuple[CMAMEState, Metrics]:
        """Inserts the batch, tells the CMA-ES its improvement ranking, restarts it when
        nothing improved.

        Raises:
            ValueError: the evaluation carries no descriptors (at trace time).
        """
        c = self.config
        ev = as_evaluation(evaluation)
        old = state.archive
        archive, ins, metrics = insert_evaluated(
            old, c.layout, population, ev, c.qd_offset, c.learning_rate
        )
        f = jnp.asarray(ev.fitness, jnp.float32)
        cell = jnp.where(ins.valid, ins.cell, 0)
        if c.learning_rate == 1.0:  # CMA-ME: new cells first, by fitness; then f - elite
            first = ins.valid & ~old.filled[cell]
            value = jnp.where(first, f, f - old.fitness[cell])
        else:  # CMA-MAE: f - threshold
            first = jnp.zeros_like(ins.valid)
            value = f - old.threshold[cell]
        value = jnp.where(ins.valid, value, -jnp.inf)
        # Ties of the rounded value (f - t in float32) are broken by the fitness itself.
        keys = (jnp.where(ins.valid, f, -jnp.inf), value, first.astype(jnp.int32))
        order = jnp.lexsort((*keys, ins.valid.astype(jnp.int32)))
        ranks = (
            jnp.zeros(f.shape, jnp.float32).at[order].set(jnp.arange(f.shape[0], dtype=jnp.float32))
        )
        k_tell, k_pick, k_fresh = jax.random.split(key, 3)
        told, _ = self.es.tell(k_tell, population, ranks, state.es, params)

        improved = jnp.any(ins.added) if c.learning_rate == 1.0 else jnp.any(ins.improvement > 0)
        restart = ~improved & jnp.any(archive.filled)

        def fresh() -> EvosaxState:  # only built when restarting
            elite = archive.genotypes[uniform_filled(k_pick, archive.filled, 1)[0]]
            state = self.es.init(k_fresh, params)
            return state.replace(inner=state.inner.replace(mean=elite))

        es = jax.lax.cond(restart, fresh, lambda: told)
        new_state = CMAMEState(
            archive=archive,
            es=es,
            added=metrics["added"],
            restarts=state.restarts + restart.astype(jnp.int32),
            generation=state.generation + 1,
        )
        metrics = {**metrics, "restarts": new_state.restarts}
        return new_state, metrics

    def policy_params(self, state: CMAMEState) -> Array:
        """The archive's fittest elite (the emitter's mean while it is empty)."""
        return fittest(state.archive, self.es.policy_params(state.es))


__all__ = ["CMAMEConfig", "CMAMEState", "CMAMEStrategy"]
