"""A multilayer perceptron over one flat parameter vector.

Evolution strategies and GAs search flat vectors ``(num_params,)``; this module knows
how that vector is laid out (per layer: weights ``(fan_in, fan_out)`` row-major, then
biases ``(fan_out,)``) and applies it.

Evaluation unpacks each individual's vector once per generation (:meth:`MLP.prepare`) and
then calls :meth:`MLP.forward` every env step. Small layers are computed as an unrolled sum
of ``x[i] * W[i]`` rows, which XLA fuses into a few vector loops and which runs about twice
as fast on the CPU as a batched matrix product once vmapped over a population; larger
layers use the matrix product.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np

from evotrain.networks.activations import get_activation
from evotrain.types import Array, PRNGKey

DEFAULT_NET_ARCH: tuple[int, ...] = (32, 32)
"""``MlpPolicy``'s hidden sizes when ``policy_kwargs`` names none."""


@dataclasses.dataclass(frozen=True)
class MLP:
    """A dense network ``layer_sizes[0] -> ... -> layer_sizes[-1]``, linear output.

    Attributes:
        layer_sizes: ``(num_inputs, hidden..., num_outputs)``.
        activation: name of the hidden activation (see ``networks.activations``).
    """

    layer_sizes: tuple[int, ...]
    activation: str = "tanh"

    def __post_init__(self) -> None:
        if len(self.layer_sizes) < 2:
            raise ValueError(f"An MLP needs an input and an output size, got {self.layer_sizes}.")
        if any(int(s) <= 0 for s in self.layer_sizes):
            raise ValueError(f"Every MLP layer size must be positive, got {self.layer_sizes}.")
        get_activation(self.activation)

    @classmethod
    def for_sizes(
        cls,
        num_inputs: int,
        num_outputs: int,
        *,
        net_arch: Sequence[int] = DEFAULT_NET_ARCH,
        activation_fn: str = "tanh",
    ) -> MLP:
        """The policy ``MlpPolicy`` names: ``num_inputs -> *net_arch -> num_outputs``.

        Args:
            num_inputs, num_outputs: the env's observation size and network outputs.
            net_arch: hidden layer sizes.
            activation_fn: hidden activation name.
        """
        return cls((num_inputs, *(int(h) for h in net_arch), num_outputs), activation_fn)

    @property
    def shapes(self) -> list[tuple[int, int]]:
        return list(zip(self.layer_sizes[:-1], self.layer_sizes[1:]))

    @property
    def num_params(self) -> int:
        return int(sum(i * o + o for i, o in self.shapes))

    def init(self, key: PRNGKey) -> Array:
        """Weights ~ N(0, 1/fan_in), biases 0.

        Returns:
            Flat parameters, ``(num_params,)`` float32.
        """
        parts = []
        for (fan_in, fan_out), k in zip(self.shapes, jax.random.split(key, len(self.shapes))):
            w = jax.random.normal(k, (fan_in * fan_out,)) / np.sqrt(fan_in)
            parts += [w, jnp.zeros((fan_out,))]
        return jnp.concatenate(parts).astype(jnp.float32)

    def prepare(self, params: Array) -> list[tuple[Array, Array]]:
        """Unpacks a flat vector into per-layer ``(W (fan_in, fan_out), b (fan_out,))``."""
        layers = []
        offset = 0
        for fan_in, fan_out in self.shapes:
            w = params[offset : offset + fan_in * fan_out].reshape(fan_in, fan_out)
            offset += fan_in * fan_out
            layers.append((w, params[offset : offset + fan_out]))
            offset += fan_out
        return layers

    def forward(self, plan: Sequence[tuple[Array, Array]], inputs: Array) -> Array:
        """Forward pass from prepared layers.

        Args:
            plan: the output of :meth:`prepare`.
            inputs: ``(..., num_inputs)``.

        Returns:
            Outputs, ``(..., num_outputs)``.
        """
        act = get_activation(self.activation)
        x = inputs
        last = len(plan) - 1
        for i, (w, b) in enumerate(plan):
            x = _dense(x, w) + b
            if i != last:
                x = act(x)
        return x

    def initial_carry(self, plan: Sequence[tuple[Array, Array]]) -> tuple[()]:
        """An MLP has no memory."""
        return ()

    def step(
        self, plan: Sequence[tuple[Array, Array]], carry: tuple[()], inputs: Array
    ) -> tuple[Array, tuple[()]]:
        return self.forward(plan, inputs), carry

    def apply(self, params: Array, inputs: Array) -> Array:
        """Forward pass of one network from its flat parameters ``(num_params,)``."""
        return self.forward(self.prepare(params), inputs)


_UNROLL_MAX_FAN_IN = 64
_UNROLL_MAX_WEIGHTS = 64 * 64


def _dense(x: Array, w: Array) -> Array:
    fan_in, fan_out = w.shape
    if fan_in <= _UNROLL_MAX_FAN_IN and fan_in * fan_out <= _UNROLL_MAX_WEIGHTS:
        acc = x[..., 0:1] * w[0]
        for i in range(1, fan_in):
            acc = acc + x[..., i : i + 1] * w[i]
        return acc
    return x @ w
