"""``ESHyperNEAT(policy, env, ...)``: NEAT evolves CPPNs whose own weight patterns place a
network's hidden neurons (ES-HyperNEAT, Risi & Stanley 2012)."""

from __future__ import annotations

import dataclasses
from typing import Any, final

from evotrain.algorithms.genome_family import GenomeFamily
from evotrain.algorithms.genome_search import SPECIATED_NEAT
from evotrain.algorithms.settings import setting
from evotrain.hyperneat.es_network import ESSubstrateNetwork
from evotrain.hyperneat.network import CPPN_ACTIVATIONS


@dataclasses.dataclass(frozen=True, kw_only=True)
class ESSubstrateSettings:
    """ES-HyperNEAT's own keywords (see :class:`ESHyperNEAT`; its CPPN, search and shell
    keywords are the genome family's)."""

    input_positions: Any = setting(None)
    output_positions: Any = setting(None)
    initial_depth: int = setting(3, positive=True)
    max_depth: int = setting(3, positive=True)
    division_threshold: float = setting(0.5)
    variance_threshold: float = setting(0.03)
    band_threshold: float = setting(0.3)
    iteration_level: int = setting(1)
    weight_threshold: float = setting(0.2)
    max_weight: float = setting(5.0, positive=True)
    threshold_units: str = setting("scaled")
    use_distance: bool = setting(True)
    use_bias: bool = setting(False)
    bias_output: bool = setting(False)
    hidden_activation: str = setting("tanh")
    substrate_output_activation: str = setting("identity")


@final
class ESHyperNEAT(GenomeFamily):
    """ES-HyperNEAT on the genome-population shell.

    The population is CPPN genomes evolved by the NEAT strategy (capacity levels, species,
    presets and every NEAT keyword work as for :class:`~evotrain.NEAT`). Once per
    generation each CPPN's quadtree search (:mod:`evotrain.hyperneat.es_search`) finds
    its network's hidden neurons and connections, for the whole population at once;
    ``predict`` acts with the fittest CPPN's network.

    Args:
        policy: ``"FeedForward"`` (connections only towards larger ``y``) or
            ``"Recurrent"`` (in every direction, node values carried across env steps).
        env: env id or object.
        input_positions, output_positions: ``(n, 2)`` neuron positions (default: inputs
            spread over ``y = -1``, outputs over ``y = 1``).
        initial_depth, max_depth: the quadtree's depths (3 and 3: a full tree of 84
            candidate positions).
        division_threshold, variance_threshold, band_threshold: the search's thresholds,
            in ``threshold_units`` (``"scaled"``: on weights scaled to ``max_weight``, as
            PUREPLES; ``"raw"``: on CPPN outputs in ``[-1, 1]``, as Risi's release).
        iteration_level: rounds of search from the hidden neurons found.
        weight_threshold, max_weight: CPPN outputs within the threshold give no
            connection, the rest are scaled up to ``max_weight`` (PUREPLES' 0.2 and 5.0).
        use_distance, use_bias, bias_output: extra CPPN inputs and the bias output.
        hidden_activation, substrate_output_activation: the network's activations.
        **kwargs: the CPPN genome layout (mixed activations by default) and every NEAT and
            shell keyword; the signature lists them all.
    """

    algorithm_name = "eshyperneat"
    display_name = "ES-HyperNEAT"
    search = SPECIATED_NEAT
    policy_aliases = {
        "FeedForward": ESSubstrateNetwork.for_sizes,
        "Recurrent": ESSubstrateNetwork.recurrent_for_sizes,
    }
    own_settings = ESSubstrateSettings
    default_overrides: dict[str, Any] = {
        "activation_options": CPPN_ACTIVATIONS,
        "activation_default": "tanh",
        "output_activation": "tanh",
        "activation_replace_rate": 0.1,
    }

    def _policy_summary(self) -> str:
        c = self.policy.es_config
        return (
            f"quadtree depth {c.max_depth} ({c.num_points} positions), CPPN "
            f"{super()._policy_summary()}"
        )


__all__ = ["ESHyperNEAT", "ESSubstrateSettings"]
