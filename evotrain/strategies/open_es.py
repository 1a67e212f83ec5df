"""OpenAI evolution strategy.

Salimans, Ho, Chen, Sidor, Sutskever (2017), "Evolution Strategies as a Scalable
Alternative to Reinforcement Learning", arXiv:1703.03864. Antithetic Gaussian
perturbations of a mean vector, fitness shaping (centered ranks by default), and the
resulting search gradient applied with an optax optimizer (Adam by default) plus L2 weight
decay.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import jax
import jax.numpy as jnp
import optax
from flax import struct

from evotrain.evaluation.result import Scores, as_evaluation
from evotrain.strategies.base import callable_key
from evotrain.strategies.fitness_shaping import SHAPINGS, shape
from evotrain.types import Array, Metrics, Population, PRNGKey

Initializer = Callable[[PRNGKey], Array]


@dataclasses.dataclass(frozen=True)
class OpenESConfig:
    """Shape-fixing settings.

    Attributes:
        pop_size: individuals per generation (even when ``antithetic``).
        num_dims: length of the parameter vector.
        antithetic: evaluate each perturbation ``+eps`` together with ``-eps``.
        fitness_shaping: how fitness weighs the perturbations in the search gradient, a
            name in :data:`~evotrain.strategies.fitness_shaping.SHAPINGS`:
            ``"centered_rank"`` (Salimans et al.), ``"z_score"`` (standardized returns, as
            in the blog's ES), ``"raw"``, ``"nes_utilities"`` (evosax's NES weights).
    """

    pop_size: int
    num_dims: int
    antithetic: bool = True
    fitness_shaping: str = "centered_rank"

    def __post_init__(self) -> None:
        if self.pop_size < 2:
            raise ValueError(f"pop_size must be at least 2 for OpenES, got {self.pop_size}.")
        if self.antithetic and self.pop_size % 2:
            raise ValueError(
                f"pop_size={self.pop_size} is odd, but antithetic sampling pairs every "
                f"perturbation with its mirror: use an even pop_size such as "
                f"{self.pop_size + 1}, or antithetic=False."
            )
        if self.num_dims < 1:
            raise ValueError(f"num_dims must be positive, got {self.num_dims}.")
        if self.fitness_shaping not in SHAPINGS:
            raise ValueError(
                f"fitness_shaping={self.fitness_shaping!r} is not known; choose one of "
                f"{', '.join(map(repr, SHAPINGS))}."
            )


@struct.dataclass
class OpenESParams:
    """Tunable numbers.

    Attributes:
        sigma_init: initial perturbation scale.
        sigma_decay: multiplicative decay of sigma per generation.
        sigma_limit: sigma never decays below this.
        weight_decay: L2 coefficient added to the search gradient (``wd * mean``).
    """

    sigma_init: float = 0.1
    sigma_decay: float = 1.0
    sigma_limit: float = 0.01
    weight_decay: float = 0.0


@struct.dataclass
class OpenESState:
    """Attributes: ``mean (num_dims,)``, ``sigma ()``, optax ``opt_state``, ``generation ()``."""

    mean: Array
    sigma: Array
    opt_state: optax.OptState
    generation: Array


def check_params(params: OpenESParams) -> None:
    """Raises ``ValueError`` for impossible values (call on concrete params)."""
    if not params.sigma_init > 0:
        raise ValueError(f"sigma_init must be positive, got {params.sigma_init}.")
    if not 0 < params.sigma_decay <= 1:
        raise ValueError(f"sigma_decay must be in (0, 1], got {params.sigma_decay}.")
    if params.sigma_limit < 0:
        raise ValueError(f"sigma_limit must be non-negative, got {params.sigma_limit}.")
    if params.weight_decay < 0:
        raise ValueError(f"weight_decay must be non-negative, got {params.weight_decay}.")


class OpenESStrategy:
    """OpenAI-ES over flat parameter vectors.

    Args:
        config: shape-fixing settings.
        optimizer: any optax transform for the mean (default ``optax.adam(0.03)``).
        initializer: draws the initial mean from a key (default: zeros).
    """

    def __init__(
        self,
        config: OpenESConfig,
        optimizer: optax.GradientTransformation | None = None,
        initializer: Initializer | None = None,
    ) -> None:
        self.config = config
        self.optimizer = optimizer if optimizer is not None else optax.adam(0.03)
        self.initializer = initializer

    def __eq__(self, other: object) -> bool:
        """Equal settings, the same optimizer and equal initializers make equal strategies
        (their programs are shared; see :func:`~evotrain.strategies.base.callable_key`)."""
        return type(other) is type(self) and other._key() == self._key()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._key())

    def _key(self) -> tuple:
        return (self.config, self.optimizer, callable_key(self.initializer))

    @property
    def default_params(self) -> OpenESParams:
        return OpenESParams()

    def init(self, key: PRNGKey, params: OpenESParams) -> OpenESState:
        if self.initializer is None:
            mean = jnp.zeros((self.config.num_dims,), jnp.float32)
        else:
            mean = jnp.asarray(self.initializer(key), jnp.float32)
        return OpenESState(
            mean=mean,
            sigma=jnp.asarray(params.sigma_init, jnp.float32),
            opt_state=self.optimizer.init(mean),
            generation=jnp.zeros((), jnp.int32),
        )

    def ask(
        self, key: PRNGKey, state: OpenESState, params: OpenESParams
    ) -> tuple[Population, OpenESState]:
        """Samples ``mean + sigma * z``; with antithetic sampling ``z = [eps; -eps]``.

        Returns:
            ``population (pop_size, num_dims)`` and the unchanged state.
        """
        n, d = self.config.pop_size, self.config.num_dims
        if self.config.antithetic:
            eps = jax.random.normal(key, (n // 2, d))
            z = jnp.concatenate([eps, -eps], axis=0)
        else:
            z = jax.random.normal(key, (n, d))
        return state.mean + state.sigma * z, state

    def tell(
        self,
        key: PRNGKey,
        population: Population,
        evaluation: Scores,
        state: OpenESState,
        params: OpenESParams,
    ) -> tuple[OpenESState, Metrics]:
        """One optimizer step along the shaped search gradient (ascent on fitness)."""
        fitness = as_evaluation(evaluation).fitness
        del key
        z = (population - state.mean) / state.sigma
        shaped = shape(self.config.fitness_shaping, fitness)
        grad = -(z.T @ shaped) / (self.config.pop_size * state.sigma)
        grad = grad + params.weight_decay * state.mean
        updates, opt_state = self.optimizer.update(grad, state.opt_state, state.mean)
        mean = optax.apply_updates(state.mean, updates)
        sigma = jnp.maximum(state.sigma * params.sigma_decay, params.sigma_limit)
        new_state = OpenESState(
            mean=mean, sigma=sigma, opt_state=opt_state, generation=state.generation + 1
        )
        metrics = {"sigma": state.sigma, "grad_norm": jnp.linalg.norm(grad)}
        return new_state, metrics

    def policy_params(self, state: OpenESState) -> Array:
        return state.mean
