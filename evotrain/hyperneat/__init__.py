"""HyperNEAT: NEAT evolves a CPPN, the CPPN generates a substrate network's weights.

Built so far: substrates (:mod:`~evotrain.hyperneat.substrate`) and the CPPN query
(:mod:`~evotrain.hyperneat.cppn`). The ``HyperNEAT`` shell, a sibling of ``NEAT`` on the
NEAT-family shell, comes next.
"""

from evotrain.hyperneat.cppn import CPPNConfig, cppn_inputs, query, to_weights
from evotrain.hyperneat.substrate import MLPSubstrate, Substrate, row

__all__ = ["CPPNConfig", "MLPSubstrate", "Substrate", "cppn_inputs", "query", "row", "to_weights"]
