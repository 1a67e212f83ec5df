"""How a policy acts: observation normalization, the network, the action mapping.

One :class:`Actor` is what the jitted rollout, the host (Gymnasium) evaluator and the
shell's ``predict`` all call, so an observation becomes the same action wherever it is
acted on. Its methods work on one individual and one observation; callers ``vmap`` them
over a population or a batch of envs.
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp

from evotrain.envs.spec import ActionSpace, Discrete, outputs_to_action
from evotrain.evaluation.normalization import NormState, normalize
from evotrain.networks.base import Network
from evotrain.types import Array, PRNGKey, PyTree


@dataclasses.dataclass(frozen=True)
class Actor:
    """A network and the action space its outputs are mapped into.

    Attributes:
        network: what one individual computes (``prepare`` per individual, ``step`` per
            observation).
        action: the env's action space; None returns the raw outputs (function fitting).
    """

    network: Network
    action: ActionSpace | None

    def start(self, params: PyTree) -> tuple[PyTree, PyTree]:
        """An individual's plan and its memory at the start of an episode.

        Args:
            params: one individual's parameters (no population axis).

        Returns:
            ``(plan, carry)``; ``carry`` is ``()`` for networks without memory.
        """
        plan = self.network.prepare(params)
        return plan, self.network.initial_carry(plan)

    def outputs(
        self, plan: PyTree, carry: PyTree, obs: Array, norm: NormState | None
    ) -> tuple[Array, PyTree]:
        """The network's outputs ``(num_outputs,)`` for one observation ``(obs_size,)``.

        Args:
            plan, carry: from :meth:`start` (``carry`` as returned by the previous step).
            obs: ``(obs_size,)`` raw observation.
            norm: running statistics to normalize with; None acts on raw observations.

        Returns:
            ``(outputs (num_outputs,), next carry)``.
        """
        if norm is not None:
            obs = normalize(norm, obs)
        return self.network.step(plan, carry, obs)

    def to_action(
        self, outputs: Array, key: PRNGKey | None = None, deterministic: bool = True
    ) -> Array:
        """Outputs ``(..., num_outputs)`` as actions (any leading axes).

        Discrete actions are the argmax, or with ``deterministic=False`` a sample of the
        outputs' softmax (one ``key`` for the whole batch); box actions are squashed into
        their bounds either way; without an action space the outputs are returned.
        """
        if self.action is None:
            return outputs
        if isinstance(self.action, Discrete) and not deterministic:
            if key is None:
                raise ValueError("Sampling a discrete action (deterministic=False) needs a key.")
            return jax.random.categorical(key, outputs, axis=-1).astype(jnp.int32)
        return outputs_to_action(self.action, outputs)

    def step(
        self, plan: PyTree, carry: PyTree, obs: Array, norm: NormState | None
    ) -> tuple[Array, PyTree]:
        """The deterministic action for one observation: :meth:`outputs` then
        :meth:`to_action`. Returns ``(action, next carry)``."""
        outputs, carry = self.outputs(plan, carry, obs, norm)
        return self.to_action(outputs), carry


__all__ = ["Actor"]
