"""``HyperNEAT(policy, env, ...)``: NEAT evolves CPPNs that generate a substrate's weights."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any, final

from evotrain.algorithms.genome_family import GenomeFamily, write_json
from evotrain.algorithms.genome_search import SPECIATED_NEAT
from evotrain.algorithms.settings import setting
from evotrain.hyperneat.network import CPPN_ACTIVATIONS, SubstrateNetwork
from evotrain.hyperneat.substrate import Substrate


@dataclasses.dataclass(frozen=True, kw_only=True)
class SubstrateSettings:
    """HyperNEAT's own keywords (see :class:`HyperNEAT`; its CPPN, search and shell
    keywords are the genome family's)."""

    substrate: Any = setting(None)  # saved as its coordinates (Substrate.to_dict)
    hidden_layers: tuple[int, ...] = setting(())
    use_distance: bool = setting(True)
    use_bias: bool = setting(False)
    bias_output: bool = setting(False)
    leo: bool = setting(False)
    weight_threshold: float = setting(0.3)
    max_weight: float = setting(5.0, positive=True)
    hidden_activation: str = setting("tanh")
    substrate_output_activation: str = setting("identity")


@final
class HyperNEAT(GenomeFamily):
    """HyperNEAT (Stanley, D'Ambrosio and Gauci 2009) on the genome-population shell.

    The population is CPPN genomes evolved by the NEAT strategy (capacity levels, species,
    presets and every NEAT keyword work as for :class:`~evotrain.NEAT`). An individual's
    network is the substrate with the weights its CPPN generates, computed once per
    generation; ``predict`` acts with the fittest CPPN's substrate network.

    Args:
        policy: ``"FeedForward"`` (rows, each fully connected to the next) or
            ``"Recurrent"`` (every hidden and output neuron receives from every neuron,
            with node values carried across env steps).
        env: env id or object.
        substrate: a :class:`~evotrain.hyperneat.Substrate` (or its ``to_dict()``);
            ``"body"`` for a Brax robot's geometry (:mod:`evotrain.hyperneat.body`);
            None (default): inputs on one row, ``hidden_layers`` rows, outputs on the last
            row, sized from the env.
        hidden_layers: hidden rows of the default substrate (neurons per row), or of a body
            substrate (neurons per body per row).
        use_distance, use_bias: extra CPPN inputs (source-target distance, constant 1).
        bias_output, leo: extra CPPN outputs (neuron biases; link expression).
        weight_threshold, max_weight: CPPN outputs below the threshold give no connection,
            the rest are scaled up to ``max_weight`` (TensorNEAT's 0.3 and 5.0).
        hidden_activation, substrate_output_activation: the substrate's activations.
        **kwargs: the CPPN genome layout (mixed activations by default) and every NEAT and
            shell keyword; the signature lists them all.
    """

    algorithm_name = "hyperneat"
    display_name = "HyperNEAT"
    search = SPECIATED_NEAT
    policy_aliases = {
        "FeedForward": SubstrateNetwork.for_sizes,
        "Recurrent": SubstrateNetwork.recurrent_for_sizes,
    }
    own_settings = SubstrateSettings
    default_overrides: dict[str, Any] = {
        "activation_options": CPPN_ACTIVATIONS,
        "activation_default": "tanh",
        "output_activation": "tanh",
        "activation_replace_rate": 0.1,
    }

    def _policy_options(self) -> dict[str, Any]:
        options = super()._policy_options()
        options["substrate"] = self._resolve_substrate(options.get("substrate"))
        return options

    def _resolve_substrate(self, substrate: Any) -> Any:
        """``"body"`` and dicts become :class:`Substrate`; the rest is checked by the builder."""
        if isinstance(substrate, dict):
            return Substrate.from_dict(substrate)
        if isinstance(substrate, str):
            if substrate != "body":
                raise ValueError(
                    f"substrate={substrate!r} is not known: use 'body' (a Brax robot's "
                    "geometry), a Substrate, or None (a layered substrate from the env's "
                    "sizes)."
                )
            from evotrain.hyperneat.body import body_substrate

            return body_substrate(self.env, self.settings.hidden_layers)
        return substrate

    # ------------------------------------------------------------ the best substrate
    @property
    def best_substrate(self) -> dict[str, Any]:
        """The substrate network the model acts with, readable and JSON-serializable: the
        one the CPPN of :attr:`best_genome` (the last generation's fittest, which
        :meth:`predict` uses) generates, in the exported-genome format (run it without JAX
        with :class:`~evotrain.networks.numpy_network.NumpyNetwork`) plus every neuron's
        coordinates (see :func:`evotrain.hyperneat.export.substrate_to_dict`)."""
        from evotrain.hyperneat.export import substrate_to_dict

        return substrate_to_dict(self.policy, self.policy_params, self.acting_fitness)

    @property
    def best_ever_substrate(self) -> dict[str, Any]:
        """The substrate of :attr:`best_ever_genome`'s CPPN (the fittest of any generation),
        in the format of :attr:`best_substrate`."""
        from evotrain.hyperneat.export import substrate_to_dict

        ts = self.train_state
        return substrate_to_dict(self.policy, ts.best_params, float(ts.best_fitness))

    def export_substrate(
        self, path: str | os.PathLike[str], overwrite: bool = False, best_ever: bool = False
    ) -> None:
        """Writes :attr:`best_substrate` (or, with ``best_ever``,
        :attr:`best_ever_substrate`) as JSON.

        Raises:
            FileExistsError: if ``path`` exists and ``overwrite`` is False.
        """
        data = self.best_ever_substrate if best_ever else self.best_substrate
        write_json(path, data, overwrite)

    def plot_substrate(self, path: str | os.PathLike[str], **kwargs: Any) -> Path:
        """Draws :attr:`best_substrate` at its neurons' coordinates, connections by sign
        and magnitude (see :func:`evotrain.viz.plot_substrate` for the keywords). The
        CPPN itself is drawn by :meth:`plot_network`."""
        from evotrain.viz import plot_substrate

        return plot_substrate(self.best_substrate, path, **kwargs)

    def _policy_summary(self) -> str:
        s = self.policy.substrate
        return f"substrate {s.num_connections} connections, CPPN {super()._policy_summary()}"
