"""What one individual computes: MLP policies (NEAT networks come with the NEAT package)."""

from evotrain.networks.activations import ACTIVATIONS, get_activation, register_activation
from evotrain.networks.base import Network
from evotrain.networks.mlp import MLP

__all__ = ["ACTIVATIONS", "MLP", "Network", "get_activation", "register_activation"]
