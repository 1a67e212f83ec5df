"""Drawing a NEAT network's topology (SVG, PNG or PDF) with Matplotlib.

Inputs sit in the left column, outputs in the right one, hidden nodes in between by depth
(the longest path of enabled connections from an input). Connections are coloured by the
sign of their weight (blue positive, red negative), drawn wider the larger their
magnitude, and dashed when disabled. Works on an exported genome (``model.best_genome``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evotrain.viz.graph import enabled_connections

POSITIVE = "#1f5fbf"
NEGATIVE = "#c8332b"
FORMATS = (".svg", ".png", ".pdf")


def node_depths(genome: dict[str, Any]) -> dict[int, int]:
    """Column of every node: 0 for inputs, the longest enabled path from an input for hidden
    nodes, and one more than the deepest hidden node for outputs.

    In a recurrent genome the connections that close a cycle (back edges of a depth-first
    walk from the inputs, in key order) are left out of the depth.
    """
    n_in, n_out = int(genome["num_inputs"]), int(genome["num_outputs"])
    keys = sorted(int(n["key"]) for n in genome["nodes"])
    hidden = {k for k in keys if k >= n_in + n_out}
    outgoing: dict[int, list[int]] = {k: [] for k in keys}
    for src, dst, _ in enabled_connections(genome):
        outgoing[src].append(dst)
    state: dict[int, int] = {}  # 1: on the walk's stack, 2: finished
    back: set[tuple[int, int]] = set()

    def walk(u: int) -> None:
        state[u] = 1
        for v in sorted(outgoing[u]):
            if state.get(v) == 1:
                back.add((u, v))
            elif v not in state:
                walk(v)
        state[u] = 2

    for key in keys:
        if key not in state:
            walk(key)
    incoming: dict[int, list[int]] = {k: [] for k in keys}
    for u, targets in outgoing.items():
        for v in targets:
            if (u, v) not in back and (u < n_in or u in hidden):
                incoming[v].append(u)
    depth: dict[int, int] = {k: 0 for k in range(n_in)}

    def visit(key: int) -> int:
        if key not in depth:
            depth[key] = 1 + max((visit(s) for s in incoming[key]), default=0)
        return depth[key]

    for key in sorted(hidden):
        visit(key)
    last = 1 + max((depth[k] for k in hidden), default=0)
    for key in range(n_in, n_in + n_out):
        depth[key] = last
    return depth


def network_layout(genome: dict[str, Any]) -> dict[int, tuple[float, float]]:
    """``(x, y)`` of every node in the unit square: columns by :func:`node_depths`, nodes
    of a column spread evenly (in key order) and centred."""
    depth = node_depths(genome)
    last = max(depth.values())
    columns: dict[int, list[int]] = {}
    for key in sorted(depth):
        columns.setdefault(depth[key], []).append(key)
    pos = {}
    for col, members in columns.items():
        for i, key in enumerate(members):
            y = 0.5 if len(members) == 1 else 1.0 - i / (len(members) - 1)
            pos[key] = (col / last if last else 0.0, y)
    return pos


def _labels(
    genome: dict[str, Any],
    input_names: Sequence[str] | None,
    output_names: Sequence[str] | None,
) -> dict[int, str]:
    n_in, n_out = int(genome["num_inputs"]), int(genome["num_outputs"])
    inputs = list(input_names) if input_names is not None else [f"x{i}" for i in range(n_in)]
    outputs = list(output_names) if output_names is not None else [f"y{i}" for i in range(n_out)]
    if len(inputs) != n_in or len(outputs) != n_out:
        raise ValueError(
            f"The genome has {n_in} inputs and {n_out} outputs; got {len(inputs)} input names "
            f"and {len(outputs)} output names."
        )
    labels = {}
    for node in genome["nodes"]:
        key = int(node["key"])
        if key < n_in:
            labels[key] = inputs[key]
        elif key < n_in + n_out:
            labels[key] = outputs[key - n_in]
        else:
            labels[key] = f"{key}\n{node['activation']}"
    return labels


def plot_network(
    genome: dict[str, Any],
    path: str | os.PathLike[str],
    *,
    input_names: Sequence[str] | None = None,
    output_names: Sequence[str] | None = None,
    title: str | None = None,
    show_disabled: bool = True,
    overwrite: bool = False,
) -> Path:
    """Draws the network of an exported genome and writes it to ``path``.

    Args:
        genome: an exported genome (``model.best_genome``).
        path: the file to write; its suffix picks the format (``.svg``, ``.png``, ``.pdf``).
        input_names, output_names: node labels (default ``x0...``, ``y0...``).
        title: a title above the drawing (default: node and connection counts).
        show_disabled: also draw disabled connections (dashed).
        overwrite: replace an existing file.

    Returns:
        The path written.

    Raises:
        ValueError: for an unsupported suffix or wrong number of names.
        FileExistsError: if ``path`` exists and ``overwrite`` is False.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise ValueError(f"Cannot draw to {path.name!r}: use a {', '.join(FORMATS)} file name.")
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it.")
    pos = network_layout(genome)
    labels = _labels(genome, input_names, output_names)
    columns = max(len({round(p[0], 6) for p in pos.values()}), 2)
    rows = max(sum(1 for p in pos.values() if p[0] == x) for x in {p[0] for p in pos.values()})
    fig, ax = plt.subplots(figsize=(1.6 + 1.5 * columns, 1.2 + 0.55 * max(rows, 2)))
    draw_network(ax, genome, labels, show_disabled=show_disabled, title=title)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=150)
    plt.close(fig)
    return path


def draw_network(
    ax: Any,
    genome: dict[str, Any],
    labels: dict[int, str] | None = None,
    *,
    show_disabled: bool = True,
    title: str | None = None,
    markers: bool = False,
) -> None:
    """Draws an exported genome on Matplotlib axes ``ax`` (see :func:`plot_network`).

    Args:
        ax: the axes.
        genome: an exported genome.
        labels: node labels by key (default ``x0...``, ``y0...``, hidden keys).
        show_disabled: also draw disabled connections (dashed).
        title: the axes' title (default: node and connection counts).
        markers: write each connection's historical marker (``in>out``), small and grey.
    """
    from matplotlib.patches import FancyArrowPatch

    pos = network_layout(genome)
    labels = labels if labels is not None else _labels(genome, None, None)
    n_in, n_out = int(genome["num_inputs"]), int(genome["num_outputs"])
    conns = [c for c in genome["connections"] if c["in"] in pos and c["out"] in pos]
    if not show_disabled:
        conns = [c for c in conns if c["enabled"]]
    scale = max((abs(c["weight"]) for c in conns), default=1.0) or 1.0
    for c in conns:
        (x0, y0), (x1, y1) = pos[int(c["in"])], pos[int(c["out"])]
        self_loop = c["in"] == c["out"]
        arrow = FancyArrowPatch(
            (x0, y0),
            (x1, y1) if not self_loop else (x0 + 1e-3, y0),
            arrowstyle="-|>",
            mutation_scale=8,
            linewidth=0.6 + 3.0 * abs(c["weight"]) / scale,
            linestyle="-" if c["enabled"] else (0, (3, 2)),
            color=POSITIVE if c["weight"] >= 0 else NEGATIVE,
            alpha=0.85 if c["enabled"] else 0.45,
            connectionstyle="arc3,rad=0.0" if x1 > x0 else "arc3,rad=0.35",
            shrinkA=9,
            shrinkB=9,
            zorder=1,
        )
        arrow.set_gid(f"conn_{int(c['in'])}_{int(c['out'])}")  # the SVG group's id
        ax.add_patch(arrow)
        if markers and not self_loop:
            ax.text(
                (x0 + x1) / 2,
                (y0 + y1) / 2 + 0.025,
                f"{int(c['in'])}>{int(c['out'])}",
                fontsize=5,
                color="#999999",
                ha="center",
                va="bottom",
                zorder=4,
            )
    for key, (x, y) in pos.items():
        kind = "input" if key < n_in else "output" if key < n_in + n_out else "hidden"
        face = {"input": "#e8eef7", "output": "#f7ece0", "hidden": "#ffffff"}[kind]
        ax.scatter([x], [y], s=620, c=face, edgecolors="#333333", linewidths=1.0, zorder=2)
        ax.text(x, y, labels[key], ha="center", va="center", fontsize=7, zorder=3)
    enabled = sum(1 for c in genome["connections"] if c["enabled"])
    hidden = sum(1 for k in pos if k >= n_in + n_out)
    ax.set_title(
        title
        if title is not None
        else f"{n_in} inputs, {hidden} hidden, {n_out} outputs; {enabled} enabled connections",
        fontsize=9,
    )
    ax.set_xlim(-0.12, 1.12)
    ax.set_ylim(-0.15, 1.15)
    ax.axis("off")


__all__ = ["network_layout", "node_depths", "plot_network"]
