"""Looking at trained networks: topology drawings, formulas, learning curves, archives.

Names are imported when first used, and Matplotlib and SymPy only when a function here
runs, so ``evotrain animate`` draws a recorded run without loading JAX.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from evotrain.runtime.lazy import lazy_exports

_EXPORTS = {
    "animate_archive": "evotrain.viz.archive",
    "archive_rows": "evotrain.viz.archive",
    "plot_archive": "evotrain.viz.archive",
    "write_archive_csv": "evotrain.viz.archive",
    "plot_learning_curve": "evotrain.viz.curves",
    "read_progress": "evotrain.viz.curves",
    "network_equations": "evotrain.viz.formula",
    "register_sympy_activation": "evotrain.viz.formula",
    "to_latex": "evotrain.viz.formula",
    "to_python": "evotrain.viz.formula",
    "to_sympy": "evotrain.viz.formula",
    "network_layout": "evotrain.viz.network",
    "node_depths": "evotrain.viz.network",
    "plot_network": "evotrain.viz.network",
    "plot_substrate": "evotrain.viz.substrate",
    "animate_topology": "evotrain.viz.topology",
}

if TYPE_CHECKING:
    from evotrain.viz.archive import (
        animate_archive,
        archive_rows,
        plot_archive,
        write_archive_csv,
    )
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
    "animate_archive",
    "animate_topology",
    "archive_rows",
    "network_equations",
    "network_layout",
    "node_depths",
    "plot_learning_curve",
    "plot_archive",
    "plot_network",
    "plot_substrate",
    "read_progress",
    "register_sympy_activation",
    "to_latex",
    "to_python",
    "to_sympy",
    "write_archive_csv",
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
