"""MAP-Elites (Mouret & Clune 2015) over fixed-size parameter vectors, with the iso-line
variation of Vassiliades & Mouret (2018).

The state is an :class:`~evotrain.qd.Archive`: each generation's batch is made from
elites drawn uniformly from the filled cells, ``x + iso_sigma * N(0, I) + line_sigma *
N(0, 1) * (y - x)`` for two elites ``x`` and ``y`` (``line_sigma = 0`` is plain Gaussian
mutation), and ``tell`` inserts the evaluated batch by its behaviour descriptors
(:func:`~evotrain.qd.insert`: deterministic, non-finite candidates never enter). The first
batch is the initializer's draws plus ``init_sigma`` noise.

``tell`` needs the evaluation's descriptors: the run must ask for one
(``EvalConfig(descriptor=...)``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import jax
import jax.numpy as jnp
from flax import struct

from evotrain.evaluation.result import Scores, as_evaluation
from evotrain.qd.archive import Archive, empty_archive, fittest, insert_evaluated
from evotrain.qd.layout import Layout
from evotrain.strategies.base import ConfiguredStrategy
from evotrain.types import Array, Metrics, Population, PRNGKey

Initializer = Callable[[PRNGKey], Array]


@dataclasses.dataclass(frozen=True)
class MAPElitesConfig:
    """Shape-fixing settings.

    Attributes:
        pop_size: candidates per generation (the batch).
        num_dims: length of the parameter vector.
        layout: the archive's cells (:class:`~evotrain.qd.GridLayout` or
            :class:`~evotrain.qd.CVTLayout`).
        qd_offset: subtracted from every elite's fitness in the logged QD score (at or
            below the lowest fitness possible, so that the score only grows).
        clip: ``(low, high)`` bounds every child's parameters are clipped to (a direct
            encoding's box, such as the planar arm's ``(0, 1)``), or None.
    """

    pop_size: int
    num_dims: int
    layout: Layout
    qd_offset: float = 0.0
    clip: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        if self.pop_size < 1 or self.num_dims < 1:
            raise ValueError(
                f"pop_size and num_dims must be positive, got {self.pop_size} and {self.num_dims}."
            )


@struct.dataclass
class MAPElitesParams:
    """Numbers one may anneal or sweep.

    Attributes:
        iso_sigma: the isotropic Gaussian step.
        line_sigma: the step along the line between two elites (0: Gaussian mutation only).
        init_sigma: spread of the first batch around the initializer's draws.
    """

    iso_sigma: float = 0.01
    line_sigma: float = 0.1
    init_sigma: float = 0.1


def check_params(params: MAPElitesParams) -> None:
    """Refuses negative steps.

    Raises:
        ValueError: naming the field.
    """
    for name in ("iso_sigma", "line_sigma", "init_sigma"):
        if not getattr(params, name) >= 0:
            raise ValueError(f"{name} must be >= 0, got {getattr(params, name)}.")


def uniform_filled(key: PRNGKey, filled: Array, n: int) -> Array:
    """``(n,)`` int32 cells drawn uniformly from the ``filled`` ones (``(num_cells,)``
    bool; cell 0 when none is): the ``r``-th filled cell for ``r`` uniform below their
    count, found by a search over the running count (cheaper than a draw over every
    cell)."""
    count = jnp.cumsum(filled.astype(jnp.int32))
    r = jax.random.randint(key, (n,), 0, jnp.maximum(count[-1], 1))
    return jnp.searchsorted(count, r, side="right").astype(jnp.int32)


@struct.dataclass
class MAPElitesState:
    """Attributes:
    archive: the elites (:class:`~evotrain.qd.Archive` of ``(num_dims,)`` genotypes).
    population: ``(pop_size, num_dims)`` the first batch (asked at generation 0).
    fitness: ``(pop_size,)`` the last batch's fitness (``-inf`` before any).
    added: ``()`` int32 candidates of the last batch that became elites.
    generation: ``()`` int32.
    """

    archive: Archive
    population: Array
    fitness: Array
    added: Array
    generation: Array


class MAPElitesStrategy(ConfiguredStrategy):
    """MAP-Elites with iso-line variation (see the module docs).

    Args:
        config: shape-fixing settings.
        initializer: draws one individual from a key (default: zeros).
    """

    config: MAPElitesConfig

    @property
    def default_params(self) -> MAPElitesParams:
        return MAPElitesParams()

    def init(self, key: PRNGKey, params: MAPElitesParams) -> MAPElitesState:
        n, d = self.config.pop_size, self.config.num_dims
        population = self._draw(key, n, d, params.init_sigma)
        return MAPElitesState(
            archive=empty_archive(self.config.layout, jnp.zeros((d,), jnp.float32)),
            population=population,
            fitness=jnp.full((n,), -jnp.inf, jnp.float32),
            added=jnp.zeros((), jnp.int32),
            generation=jnp.zeros((), jnp.int32),
        )

    def ask(
        self, key: PRNGKey, state: MAPElitesState, params: MAPElitesParams
    ) -> tuple[Population, MAPElitesState]:
        """The first batch at generation 0 (or while the archive is empty), afterwards
        iso-line children of elites.

        Returns:
            ``population (pop_size, num_dims)`` and the unchanged state.
        """
        n, d = self.config.pop_size, self.config.num_dims
        k_x, k_y, k_iso, k_line = jax.random.split(key, 4)
        archive = state.archive
        x = archive.genotypes[uniform_filled(k_x, archive.filled, n)]
        y = archive.genotypes[uniform_filled(k_y, archive.filled, n)]
        iso = params.iso_sigma * jax.random.normal(k_iso, (n, d))
        line = params.line_sigma * jax.random.normal(k_line, (n, 1))
        children = x + iso + line * (y - x)
        if self.config.clip is not None:
            children = jnp.clip(children, *self.config.clip)
        first = (state.generation == 0) | ~jnp.any(archive.filled)
        return jnp.where(first, state.population, children), state

    def tell(
        self,
        key: PRNGKey,
        population: Population,
        evaluation: Scores,
        state: MAPElitesState,
        params: MAPElitesParams,
    ) -> tuple[MAPElitesState, Metrics]:
        """Inserts the evaluated batch into the archive by its descriptors.

        Raises:
            ValueError: the evaluation carries no descriptors (at trace time).
        """
        del key, params
        ev = as_evaluation(evaluation)
        layout, offset = self.config.layout, self.config.qd_offset
        archive, _, metrics = insert_evaluated(state.archive, layout, population, ev, offset)
        new_state = MAPElitesState(
            archive=archive,
            population=state.population,
            fitness=jnp.asarray(ev.fitness, jnp.float32),
            added=metrics["added"],
            generation=state.generation + 1,
        )
        return new_state, metrics

    def policy_params(self, state: MAPElitesState) -> Array:
        """The archive's fittest elite (the first batch's first member while empty)."""
        return fittest(state.archive, state.population[0])


__all__ = [
    "MAPElitesStrategy",
    "MAPElitesConfig",
    "MAPElitesParams",
    "MAPElitesState",
    "check_params",
    "uniform_filled",
]
