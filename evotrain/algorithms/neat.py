"""``NEAT(policy, env, ...)``: tensorized NEAT behind the SB3-style shell."""

from __future__ import annotations

import functools
import warnings
from typing import Any, final

from evotrain.algorithms.genome_family import GenomeFamily
from evotrain.algorithms.genome_search import SPECIATED_NEAT
from evotrain.envs.spec import ActionRangeWarning, Box
from evotrain.neat.genome import GenomeConfig
from evotrain.networks.activation_table import activation_for_range, is_bounded
from evotrain.networks.neat_network import NEATNetwork


@final
class NEAT(GenomeFamily):
    """NeuroEvolution of Augmenting Topologies, tensorized (TensorNEAT-style): the genome
    is the network.

    ``predict`` acts with the fittest genome of the last evaluated population.

    Args:
        policy: ``"FeedForward"`` (acyclic networks, evaluated layer by layer) or
            ``"Recurrent"`` (cycles allowed; node values persist across the steps of an
            episode and ``predict`` carries them in ``state``).
        env: env id or object.
        preset: start from a named configuration (``"tensorneat"``, ``"neat-python-xor"``,
            ``"xor"``); explicit keywords override it.
        pop_size: genomes per generation (150).
        max_species: species slots (10).
        allocation: ``"fitness"`` (explicit fitness sharing, canonical) or ``"rank"``
            (TensorNEAT) offspring allocation.
        activate_time: node updates per env step of a recurrent network.
        max_nodes, max_conns: genome capacity.
        activation_options, activation_default, aggregation_options, aggregation_default:
            node functions (see ``evotrain.networks.ACTIVATIONS`` and
            ``evotrain.neat.AGGREGATIONS``).
        output_activation: the output nodes' function. ``"auto"`` (default): on a
            function-fitting problem the one that covers its targets' range
            (``"scaled_sigmoid"`` for targets in [0, 1], ``"tanh"`` in [-1, 1], else
            ``"identity"``), on other envs the hidden nodes' (as None does).
        **kwargs: every :class:`~evotrain.neat.NEATParams` field (the TensorNEAT paper's
            Appendix A names: ``node_add``, ``conn_add``, ``weight_mutate_rate``,
            ``compatibility_threshold``, ``max_stagnation``, ...) and the shell options of
            :class:`~evotrain.algorithms.base.BaseEvolver`; the signature lists them all.
    """

    algorithm_name = "neat"
    display_name = "NEAT"
    search = SPECIATED_NEAT
    policy_aliases = {
        "FeedForward": functools.partial(NEATNetwork.for_sizes, feedforward=True),
        "Recurrent": functools.partial(NEATNetwork.for_sizes, feedforward=False),
    }
    default_overrides = {"output_activation": "auto"}
    legacy_defaults = {"output_activation": None}

    def _policy_options(self) -> dict[str, Any]:
        options = super()._policy_options()
        if options.get("output_activation") == "auto":
            target = self.env.spec.target_range
            options["output_activation"] = None if target is None else activation_for_range(*target)
        return options

    def _make_policy(self) -> NEATNetwork:
        network = super()._make_policy()
        _warn_if_outputs_bounded(network.config, self.env.spec.action)
        return network


def _warn_if_outputs_bounded(config: GenomeConfig, action: Any) -> None:
    """Warns when bounded output nodes meet the tanh squash of a bounded box action."""
    if not isinstance(action, Box) or not any(action.bounded):
        return
    name = config.output_activation or config.activation_default
    if not is_bounded(name):  # values within [-1, 1], per evotrain.networks.activation_table
        return
    source = "output_activation" if config.output_activation else "the hidden activation"
    warnings.warn(
        f"NEAT's output nodes use {name!r} ({source}), whose values stay in [-1, 1], and the "
        "env's box actions are then squashed with tanh into their bounds: actions can reach "
        "only part of the range (at most tanh(1) = 76% of the half-width around its middle). "
        "Pass output_activation='identity' to reach the whole range.",
        ActionRangeWarning,
        stacklevel=4,
    )
