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

Several emitters (``emitters=E``, as pyribs' schedulers run them) split the batch: each
is its own CMA-ES of ``pop_size / E`` candidates, run one after the other in one program; the
whole batch goes into the archive in one insertion, and each emitter is told the ranking
of its own candidates and restarts on its own.
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
        emitters: CMA-ES emitters sharing the batch (``pop_size`` divisible by it).
    """

    pop_size: int
    num_dims: int
    layout: Layout
    learning_rate: float = 1.0
    threshold_min: float = -math.inf
    sigma0: float = 0.1
    qd_offset: float = 0.0
    emitters: int = 1

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
        if self.emitters < 1 or self.pop_size % self.emitters or self.batch < 2:
            raise ValueError(
                f"{self.emitters} emitters cannot share a batch of pop_size={self.pop_size}: "
                "pop_size must be a multiple of emitters, with at least 2 candidates each."
            )

    @property
    def batch(self) -> int:
        """Candidates per emitter."""
        return self.pop_size // max(self.emitters, 1)


@struct.dataclass
class CMAMEState:
    """Attributes:
    archive: the elites and CMA-MAE thresholds.
    es: the CMA-ES emitters' states, stacked (leading axis ``emitters``).
    added: ``()`` int32 candidates of the last batch that became elites.
    restarts: ``()`` int32 restarts of the emitters so far, all together.
    generation: ``()`` int32.
    """

    archive: Archive
    es: EvosaxState
    added: Array
    restarts: Array
    generation: Array


class CMAMEStrategy(ConfiguredStrategy):
    """CMA-ME / CMA-MAE with one or several CMA-ES emitters (see the module docs).

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
            config.batch,
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
            es=_each(lambda k: self.es.init(k, params), jax.random.split(key, c.emitters)),
            added=jnp.zeros((), jnp.int32),
            restarts=jnp.zeros((), jnp.int32),
            generation=jnp.zeros((), jnp.int32),
        )

    def ask(self, key: PRNGKey, state: CMAMEState, params: PyTree) -> tuple[Population, CMAMEState]:
        """The emitters' batches, emitter after emitter: ``(pop_size, num_dims)``."""
        keys = jax.random.split(key, self.config.emitters)
        population, es = _each(lambda k, s: self.es.ask(k, s, params), keys, state.es)
        return population.reshape(self.config.pop_size, -1), state.replace(es=es)

    def tell(
        self,
        key: PRNGKey,
        population: Population,
        evaluation: Scores,
        state: CMAMEState,
        params: PyTree,
    ) -> tuple[CMAMEState, Metrics]:
        """Inserts the batch, tells each emitter the improvement ranking of its candidates,
        restarts those whose candidates improved nothing.

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
            improved = ins.added
        else:  # CMA-MAE: f - threshold
            first = jnp.zeros_like(ins.valid)
            value = f - old.threshold[cell]
            improved = ins.improvement > 0
        value = jnp.where(ins.valid, value, -jnp.inf)
        rows = (c.emitters, c.batch)
        ranks = jax.vmap(_ranks)(*(x.reshape(rows) for x in (f, value, first, ins.valid)))
        k_tell, k_pick, k_fresh = jax.random.split(key, 3)

        def emitter(
            k_tell: PRNGKey,
            k_pick: PRNGKey,
            k_fresh: PRNGKey,
            es: EvosaxState,
            candidates: Array,
            ranks: Array,
            improved: Array,
        ) -> tuple[EvosaxState, Array]:
            told, _ = self.es.tell(k_tell, candidates, ranks, es, params)
            restart = ~jnp.any(improved) & jnp.any(archive.filled)

            def fresh() -> EvosaxState:  # only built when restarting
                elite = archive.genotypes[uniform_filled(k_pick, archive.filled, 1)[0]]
                state = self.es.init(k_fresh, params)
                return state.replace(inner=state.inner.replace(mean=elite))

            return jax.lax.cond(restart, fresh, lambda: told), restart

        es, restart = _each(
            emitter,
            *(jax.random.split(k, c.emitters) for k in (k_tell, k_pick, k_fresh)),
            state.es,
            population.reshape(*rows, -1),
            ranks,
            improved.reshape(rows),
        )
        restarts = state.restarts + jnp.sum(restart, dtype=jnp.int32)
        new_state = CMAMEState(
            archive=archive,
            es=es,
            added=metrics["added"],
            restarts=restarts,
            generation=state.generation + 1,
        )
        metrics = {**metrics, "restarts": new_state.restarts}
        return new_state, metrics

    def policy_params(self, state: CMAMEState) -> Array:
        """The archive's fittest elite (the first emitter's mean while it is empty)."""
        first = jax.tree_util.tree_map(lambda x: x[0], state.es)
        return fittest(state.archive, self.es.policy_params(first))


def _each(fn: Callable[..., PyTree], *stacked: PyTree) -> PyTree:
    """``fn`` over the emitters one after the other (``lax.map``): the leaves of
    ``stacked`` have leading axis ``emitters``, and so have the results. Not ``vmap``: a
    batched covariance update rounds differently inside a scan of generations than in
    one generation, and generations per dispatch must not change a run."""
    return jax.lax.map(lambda args: fn(*args), stacked)


def _ranks(fitness: Array, value: Array, first: Array, valid: Array) -> Array:
    """``(b,)`` float32 rank of each candidate of one emitter (0 the worst): invalid
    ones last, then CMA-ME's new cells above the rest, then by ``value``, ties of the
    rounded value broken by the fitness itself."""
    keys = (jnp.where(valid, fitness, -jnp.inf), value, first.astype(jnp.int32))
    order = jnp.lexsort((*keys, valid.astype(jnp.int32)))
    n = fitness.shape[0]
    return jnp.zeros((n,), jnp.float32).at[order].set(jnp.arange(n, dtype=jnp.float32))


__all__ = ["CMAMEConfig", "CMAMEState", "CMAMEStrategy"]
