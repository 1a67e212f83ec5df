"""``HyperNEAT(policy, env, ...)``: NEAT evolves CPPNs that generate a substrate's weights."""

from __future__ import annotations

from typing import Any, final

from evotrain.algorithms.neat_family import NEATFamily, family_signature
from evotrain.hyperneat.network import CPPN_ACTIVATIONS, SubstrateNetwork


@final
class HyperNEAT(NEATFamily):
    """HyperNEAT (Stanley, D'Ambrosio and Gauci 2009) on the NEAT-family shell.

    The population is CPPN genomes evolved by the NEAT strategy (capacity levels, species,
    presets and every NEAT keyword work as for :class:`~evotrain.NEAT`). An individual's
    network is the substrate with the weights its CPPN generates, computed once per
    generation; ``predict`` acts with the fittest CPPN's substrate network.

    Args:
        policy: ``"FeedForward"`` (a layered substrate).
        env: env id or object.
        substrate: a :class:`~evotrain.hyperneat.Substrate` (default: inputs on one row,
            ``hidden_layers`` rows, outputs on the last row, sized from the env).
        hidden_layers: hidden rows of the default substrate.
        use_distance, use_bias: extra CPPN inputs (source-target distance, constant 1).
        weight_threshold, max_weight: CPPN outputs below the threshold give no connection,
            the rest are scaled up to ``max_weight`` (TensorNEAT's 0.3 and 5.0).
        hidden_activation, substrate_output_activation: the substrate's activations.
        **kwargs: the CPPN genome layout (mixed activations by default) and every NEAT and
            shell keyword; the signature lists them all.
    """

    algorithm_name = "hyperneat"
    display_name = "HyperNEAT"
    policy_aliases = {"FeedForward": SubstrateNetwork.for_sizes}
    extra_defaults = {
        "substrate": None,
        "hidden_layers": (),
        "use_distance": True,
        "use_bias": False,
        "weight_threshold": 0.3,
        "max_weight": 5.0,
        "hidden_activation": "tanh",
        "substrate_output_activation": "identity",
    }
    default_overrides: dict[str, Any] = {
        "activation_options": CPPN_ACTIVATIONS,
        "activation_default": "tanh",
        "output_activation": "tanh",
        "activation_replace_rate": 0.1,
    }

    def _policy_summary(self) -> str:
        s = self.policy.substrate
        return f"substrate {s.num_connections} connections, CPPN {super()._policy_summary()}"


HyperNEAT.__signature__ = family_signature(HyperNEAT)  # type: ignore[attr-defined]
