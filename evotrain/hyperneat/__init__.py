"""HyperNEAT: NEAT evolves a CPPN, the CPPN generates a substrate network's weights.

- :mod:`~evotrain.hyperneat.substrate`: where neurons sit (``Substrate``,
  ``MLPSubstrate``, ``row``);
- :mod:`~evotrain.hyperneat.body`: substrates on a Brax robot's bodies
  (``substrate="body"``);
- :mod:`~evotrain.hyperneat.cppn`: the CPPN query and the weight mapping (threshold, LEO,
  bias output);
- :mod:`~evotrain.hyperneat.network`: the substrate network (feedforward rows or
  recurrent with memory) a CPPN genome becomes;
- :mod:`~evotrain.hyperneat.export`: that network as a JSON genome ``NumpyNetwork`` runs;
- :mod:`~evotrain.hyperneat.es_search`: ES-HyperNEAT's search for hidden neurons, as masks
  over a fixed quadtree (``ESConfig``, ``search``);
- :mod:`~evotrain.hyperneat.es_network`: the network that search finds, run every env step
  (``ESSubstrateNetwork``).

The shell is :class:`evotrain.HyperNEAT`, a sibling of ``NEAT`` on the NEAT-family shell.
"""

from evotrain.hyperneat.body import SUPPORTED as BODY_ENVS
from evotrain.hyperneat.body import BodyLayout, body_layout, body_substrate
from evotrain.hyperneat.cppn import (
    CPPNConfig,
    connection_weights,
    cppn_inputs,
    node_biases,
    query,
    query_outputs,
    query_plan,
    to_weights,
)
from evotrain.hyperneat.es_network import ESPlan, ESSubstrateNetwork
from evotrain.hyperneat.es_search import ESConfig, ESNetwork
from evotrain.hyperneat.export import substrate_to_dict
from evotrain.hyperneat.network import CPPN_ACTIVATIONS, SubstrateNetwork, SubstratePlan
from evotrain.hyperneat.substrate import MLPSubstrate, Substrate, row

__all__ = [
    "ESConfig",
    "ESNetwork",
    "ESPlan",
    "ESSubstrateNetwork",
    "BODY_ENVS",
    "BodyLayout",
    "CPPN_ACTIVATIONS",
    "CPPNConfig",
    "MLPSubstrate",
    "Substrate",
    "SubstrateNetwork",
    "SubstratePlan",
    "body_layout",
    "body_substrate",
    "connection_weights",
    "cppn_inputs",
    "node_biases",
    "query",
    "query_outputs",
    "query_plan",
    "row",
    "substrate_to_dict",
    "to_weights",
]
