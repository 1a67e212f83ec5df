"""Looking at trained networks: topology drawings, formulas, learning curves.

Matplotlib and SymPy are imported only when a function here runs.
"""

from __future__ import annotations

from evotrain.viz.curves import plot_learning_curve, read_progress
from evotrain.viz.formula import (
    network_equations,
    register_sympy_activation,
    to_latex,
    to_python,
    to_sympy,
)
from evotrain.viz.network import network_layout, node_depths, plot_network
from evotrain.viz.substrate import plot_substrate
from evotrain.viz.topology import animate_topology

__all__ = [
    "animate_topology",
    "network_equations",
    "network_layout",
    "node_depths",
    "plot_learning_curve",
    "plot_network",
    "plot_substrate",
    "read_progress",
    "register_sympy_activation",
    "to_latex",
    "to_python",
    "to_sympy",
]
