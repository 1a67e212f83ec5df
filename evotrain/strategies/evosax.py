"""evosax 0.3.x strategies behind evotrain's ``init``/``ask``/``tell`` contract.

:class:`EvosaxStrategy` wraps any class of ``evosax.algorithms`` by name (``"CMA_ES"``,
``"Sep_CMA_ES"``, ``"SNES"``, ``"xNES"``, ``"PGPE"``, ``"ARS"``, ``"SimpleGA"``, ``"PSO"``,
...) except those in :data:`~evotrain.strategies.evosax_catalog.UNSUPPORTED`. What the
wrapper adds, once for every strategy:

- **Maximization.** evotrain maximizes fitness, evosax minimizes it: :meth:`tell` passes
  ``-fitness`` to evosax, and nothing else flips signs.
- **Non-finite fitness** (NaN, ``+inf``, ``-inf``: evotrain's training step turns the
  first two into ``-inf``) is replaced by the worst finite fitness of the generation
  before evosax sees it, so it never reaches a mean, a covariance or an optimizer state.
  A generation with no finite fitness at all is told an all-zero fitness (every member
  equal, so no direction is preferred).
- **Seeding population-based strategies.** evosax's population-based ``init`` needs an
  evaluated initial population, which evotrain's ``init(key, params)`` cannot evaluate.
  So ``init`` draws the seed population (each member an independent ``initializer``
  draw plus ``init_sigma`` Gaussian noise, as evotrain's own GA does), the first ``ask``
  returns it unchanged, and the first ``tell`` hands it with its fitness to evosax's
  ``init``; from the second generation on, ``ask``/``tell`` are evosax's. The state
  records which phase it is in (:attr:`EvosaxState.seeded`).
- **What the model acts with** (:meth:`policy_params`): the search distribution's mean for
  distribution-based strategies; the best member of the current population for
  population-based ones (that of the seed population, member 0, before the first
  ``tell``).
- **Stable types.** evosax states hold weakly typed scalars (``generation_counter=0``,
  ``std=1.0``); the wrapper stores every leaf strongly typed and keeps each leaf's dtype
  across ``ask``/``tell``, so a jitted generation traces once and ``lax.cond`` branches
  agree.

Parameters travel as evosax's own solution pytree: evosax flattens a solution template
with ``jax.flatten_util.ravel_pytree`` and returns populations in the template's layout
(for evotrain's MLP, flat ``(num_params,)`` vectors, so populations are
``(pop_size, num_params)``, the layout :mod:`evotrain.strategies.open_es` uses).

Keywords: an evosax class takes settings in two places, its constructor (``optimizer``,
``std_schedule``, ``fitness_shaping_fn``, ``subspace_dims``, ...) and its ``Params``
dataclass (``std_init``, ``c_std``, ``lr_std_init``, ...). :class:`EvosaxStrategy` accepts
both by name and refuses any other with a ``TypeError`` that lists them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

import jax
import jax.numpy as jnp
from flax import struct
from jax import flatten_util

from evotrain.evaluation.result import Scores, as_evaluation
from evotrain.strategies.base import callable_key
from evotrain.strategies.evosax_catalog import (
    EVEN_POPULATION,
    constructor_keywords,
    evosax_class,
    resolve_name,
)
from evotrain.types import Array, Fitness, Metrics, PRNGKey, PyTree

Initializer = Callable[[PRNGKey], PyTree]


@dataclasses.dataclass(frozen=True)
class EvosaxConfig:
    """Shape-fixing settings.

    Attributes:
        name: evosax's name of the strategy (``"CMA_ES"``).
        pop_size: individuals per generation.
        num_dims: length of the flattened parameter vector.
        population_based: whether the strategy keeps a population (else a distribution).
    """

    name: str
    pop_size: int
    num_dims: int
    population_based: bool


@struct.dataclass
class EvosaxState:
    """Attributes:
    inner: the evosax strategy's own ``State`` (every leaf strongly typed).
    seeded: ``()`` bool; population-based strategies: whether evosax's ``init`` has
        received the evaluated seed population (always True for distribution-based ones).
    """

    inner: PyTree
    seeded: Array


def _is_key(x: Any) -> bool:
    return jax.dtypes.issubdtype(jnp.result_type(x), jax.dtypes.prng_key)


def _strong(tree: PyTree) -> PyTree:
    """``tree`` with every leaf a strongly typed array of its own dtype."""
    return jax.tree_util.tree_map(
        lambda x: x if _is_key(x) else jnp.asarray(x, jnp.result_type(x)), tree
    )


def _like(new: PyTree, old: PyTree) -> PyTree:
    """``new`` with every leaf cast to the dtype of ``old``'s (strongly typed)."""
    return jax.tree_util.tree_map(
        lambda n, o: n if _is_key(o) else jnp.asarray(n, jnp.result_type(o)), new, old
    )


def finite_fitness(fitness: Fitness) -> Array:
    """Non-finite entries replaced by the smallest finite one (all zeros if none is finite)."""
    finite = jnp.isfinite(fitness)
    worst = jnp.min(jnp.where(finite, fitness, jnp.inf))
    worst = jnp.where(jnp.any(finite), worst, 0.0)
    return jnp.where(finite, fitness, worst).astype(jnp.float32)


class EvosaxStrategy:
    """An evosax 0.3.x strategy under evotrain's contract (see the module docs).

    Args:
        name: evosax's strategy name (``"CMA_ES"``; case, ``_`` and ``-`` do not matter).
        solution: the number of parameters (flat ``(num_params,)`` float32 solutions) or a
            template pytree of one solution.
        pop_size: individuals per generation.
        initializer: draws one solution from a key: the initial mean of a distribution
            (default: zeros), the members of a population-based strategy's seed population
            (default: zeros plus ``init_sigma`` noise) and RandomSearch's samples (default:
            ``init_sigma`` Gaussian noise) unless ``sampling_fn`` is given.
        init_sigma: population-based strategies: the Gaussian noise added to each seed
            member (evotrain GA's ``init_sigma``); RandomSearch without ``initializer``:
            the scale of its samples.
        **strategy_kwargs: the evosax class's constructor keywords (see
            :func:`~evotrain.strategies.evosax_catalog.constructor_keywords`) and its
            ``Params`` fields (``std_init``, ...).

    Raises:
        ValueError: unknown or unsupported name (with the closest names or the reason),
            a population size the strategy cannot use (odd for antithetic sampling, too
            small), a ``Params`` value of the wrong shape.
        TypeError: a keyword the evosax class does not take (the accepted ones are listed).
    """

    def __init__(
        self,
        name: str,
        solution: int | PyTree,
        pop_size: int,
        *,
        initializer: Initializer | None = None,
        init_sigma: float = 0.1,
        **strategy_kwargs: Any,
    ) -> None:
        from evosax.algorithms.population_based.base import PopulationBasedAlgorithm

        name = resolve_name(name)
        cls = evosax_class(name)
        pop_size = int(pop_size)
        if pop_size < 1:
            raise ValueError(f"pop_size must be positive, got {pop_size}.")
        if name in EVEN_POPULATION and pop_size % 2:
            raise ValueError(
                f"pop_size={pop_size} is odd, but evosax's {name} samples antithetically "
                f"(each perturbation with its mirror): use an even pop_size such as "
                f"{pop_size + 1}."
            )
        if isinstance(solution, int):
            solution = jnp.zeros((int(solution),), jnp.float32)
        self.solution = solution
        self.initializer = initializer
        self.init_sigma = float(init_sigma)
        if not self.init_sigma >= 0:
            raise ValueError(f"init_sigma must be non-negative, got {init_sigma}.")
        flat, self._unravel = flatten_util.ravel_pytree(solution)
        self._num_dims = int(flat.size)

        ctor_names = constructor_keywords(name)
        ctor = {k: v for k, v in strategy_kwargs.items() if k in ctor_names}
        rest = {k: v for k, v in strategy_kwargs.items() if k not in ctor_names}
        self._given = tuple(sorted((k, callable_key(v)) for k, v in ctor.items()))
        if name == "RandomSearch" and "sampling_fn" not in ctor:
            ctor["sampling_fn"] = self._sample
        try:
            self.algorithm = cls(population_size=pop_size, solution=solution, **ctor)
        except AssertionError as err:
            raise ValueError(f"evosax's {name} refuses pop_size={pop_size}: {err}") from err
        defaults = self.algorithm.default_params
        fields = [f.name for f in dataclasses.fields(defaults)]
        unknown = sorted(set(rest) - set(fields))
        if unknown:
            accepted = [*ctor_names, *fields, "initializer", "init_sigma"]
            raise TypeError(
                f"evosax's {name} does not take {', '.join(map(repr, unknown))}; it takes "
                f"{', '.join(accepted)}."
            )
        self._params = defaults.replace(
            **{k: _param_value(name, k, v, getattr(defaults, k)) for k, v in rest.items()}
        )
        c_c = getattr(self._params, "c_c", None)
        if c_c is not None and bool(jnp.any(jnp.asarray(c_c) >= 2)):
            # LM-MA-ES sets c_c = pop_size / (4**i * num_dims), then takes
            # sqrt(c_c * (2 - c_c)): NaN from the first tell when c_c >= 2.
            raise ValueError(
                f"evosax's {name} with pop_size={pop_size} on {self._num_dims} parameters "
                f"has a path learning rate c_c >= 2 (max {float(jnp.max(c_c)):.3g}) and "
                f"would turn the mean into NaN: use pop_size < {2 * self._num_dims} (LM-MA-ES "
                "sets c_c = pop_size / (4**i * num_params)) or pass c_c below 2."
            )
        self.config = EvosaxConfig(
            name=name,
            pop_size=pop_size,
            num_dims=self._num_dims,
            population_based=isinstance(self.algorithm, PopulationBasedAlgorithm),
        )

    def __eq__(self, other: object) -> bool:
        """Equal names, sizes, initializers and constructor keywords (optimizers by object:
        :func:`~evotrain.strategies.base.shared` gives one per setting) make equal
        strategies, which share their compiled program; ``Params`` are the program's
        numbers, compared apart (:func:`~evotrain.strategies.base.value_key`)."""
        return type(other) is type(self) and other._key() == self._key()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._key())

    def _key(self) -> tuple:
        leaves, treedef = jax.tree_util.tree_flatten(self.solution)
        shape = treedef, tuple((jnp.shape(x), jnp.result_type(x).str) for x in leaves)
        return (self.config, shape, callable_key(self.initializer), self.init_sigma, self._given)

    @property
    def default_params(self) -> PyTree:
        """evosax's ``Params`` with the keywords given applied."""
        return self._params

    # ------------------------------------------------------------------ seeding
    def _sample(self, key: PRNGKey) -> PyTree:
        """RandomSearch's default ``sampling_fn``: an initializer draw, else Gaussian noise."""
        if self.initializer is not None:
            return self.initializer(key)
        flat = self.init_sigma * jax.random.normal(key, (self._num_dims,), jnp.float32)
        return self._unravel(flat)

    def _center(self, key: PRNGKey) -> Array:
        if self.initializer is None:
            return jnp.zeros((self._num_dims,), jnp.float32)
        flat, _ = flatten_util.ravel_pytree(self.initializer(key))
        return flat.astype(jnp.float32)

    def _seed_population(self, key: PRNGKey) -> PyTree:
        n, d = self.config.pop_size, self._num_dims
        base_key, noise_key = jax.random.split(key)
        base = jax.vmap(self._center)(jax.random.split(base_key, n))
        flat = base + self.init_sigma * jax.random.normal(noise_key, (n, d), jnp.float32)
        return jax.vmap(self._unravel)(flat)

    # ------------------------------------------------------------------ contract
    def init(self, key: PRNGKey, params: PyTree) -> EvosaxState:
        init_key, draw_key = jax.random.split(key)
        if self.config.population_based:
            population = self._seed_population(draw_key)
            untold = jnp.full((self.config.pop_size,), jnp.inf, jnp.float32)
            inner = self.algorithm.init(init_key, population, untold, params)
            return EvosaxState(inner=_strong(inner), seeded=jnp.asarray(False))
        mean = self._unravel(self._center(draw_key))
        inner = self.algorithm.init(init_key, mean, params)
        return EvosaxState(inner=_strong(inner), seeded=jnp.asarray(True))

    def ask(self, key: PRNGKey, state: EvosaxState, params: PyTree) -> tuple[PyTree, EvosaxState]:
        """evosax's ``ask``; for a population-based strategy's first generation, the seed
        population.

        Returns:
            ``population`` (``(pop_size, num_params)`` for flat solutions) and the state.
        """
        old = state.inner

        def evosax_ask():
            population, inner = self.algorithm.ask(key, old, params)
            return population, _like(inner, old)

        if not self.config.population_based:
            population, inner = evosax_ask()
        else:

            def seed():
                return self.algorithm.get_population(old), old

            population, inner = jax.lax.cond(state.seeded, evosax_ask, seed)
        return population, state.replace(inner=inner)

    def tell(
        self,
        key: PRNGKey,
        population: PyTree,
        evaluation: Scores,
        state: EvosaxState,
        params: PyTree,
    ) -> tuple[EvosaxState, Metrics]:
        """evosax's ``tell`` with ``-fitness`` (non-finite entries replaced by the worst
        finite one); for a population-based strategy's first generation, evosax's ``init``
        with the evaluated seed population."""
        fitness = as_evaluation(evaluation).fitness
        loss = -finite_fitness(fitness)
        old = state.inner

        def evosax_tell():
            inner, _ = self.algorithm.tell(key, population, loss, old, params)
            return _like(inner, old)

        if not self.config.population_based:
            inner = evosax_tell()
        else:

            def first():
                return _like(self.algorithm.init(key, population, loss, params), old)

            inner = jax.lax.cond(state.seeded, evosax_tell, first)
        new_state = EvosaxState(inner=inner, seeded=jnp.asarray(True))
        metrics: Metrics = {}
        std = getattr(inner, "std", None)
        if std is not None:
            metrics["sigma"] = jnp.mean(jnp.asarray(std, jnp.float32))
        return new_state, metrics

    def policy_params(self, state: EvosaxState) -> PyTree:
        """The distribution's mean, or the current population's best member."""
        inner = state.inner
        if not self.config.population_based:
            return self._unravel(inner.mean)
        shaped = jnp.where(jnp.isnan(inner.fitness), jnp.inf, inner.fitness)
        return self._unravel(inner.population[jnp.argmin(shaped)])


def _param_value(name: str, field: str, value: Any, default: Any) -> Any:
    """``value`` as an array of ``default``'s dtype and shape (a ``Params`` override)."""
    if isinstance(default, Mapping) or not hasattr(jnp.asarray(default), "dtype"):
        return value
    want = jnp.asarray(default)
    got = jnp.asarray(value, want.dtype)
    if got.shape != want.shape:
        raise ValueError(f"evosax's {name}: {field} must have shape {want.shape}, got {got.shape}.")
    return got


__all__ = ["EvosaxConfig", "EvosaxState", "EvosaxStrategy", "finite_fitness"]
