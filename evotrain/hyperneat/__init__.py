"""HyperNEAT: NEAT evolves a CPPN, the CPPN generates a substrate network's weights.

Built so far: substrates (:mod:`~evotrain.hyperneat.substrate`), the CPPN query
(:mod:`~evotrain.hyperneat.cppn`) and the feedforward substrate network
(:mod:`~evotrain.hyperneat.network`); the shell is :class:`evotrain.HyperNEAT`, a
sibling of ``NEAT`` on the NEAT-family shell. Still to come: recurrent and ``"body"``
substrates, drawings of the substrate, zoo agents.
"""

from evotrain.hyperneat.cppn import CPPNConfig, cppn_inputs, query, query_plan, to_weights
from evotrain.hyperneat.network import CPPN_ACTIVATIONS, SubstrateNetwork
from evotrain.hyperneat.substrate import MLPSubstrate, Substrate, row

__all__ = [
    "CPPN_ACTIVATIONS",
    "CPPNConfig",
    "MLPSubstrate",
    "Substrate",
    "SubstrateNetwork",
    "cppn_inputs",
    "query",
    "query_plan",
    "row",
    "to_weights",
]
