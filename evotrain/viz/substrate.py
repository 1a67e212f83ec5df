"""Drawing a HyperNEAT substrate network (SVG, PNG or PDF) with Matplotlib.

Works on the dict :func:`evotrain.hyperneat.export.substrate_to_dict` writes. Every neuron
sits at its substrate coordinates, two of them chosen by ``axes``: by default the first
coordinate across and the last one up, i.e. ``(x, y)`` for the 2-D layered substrates
(inputs at the bottom, outputs at the top) and ``(x, layer)`` for the 4-D ``(x, y, z,
layer)`` body substrates (front/back across, input layers at the bottom, outputs at the
top). A 1-D substrate is drawn with its coordinate across and its rows up.

Inputs are squares, hidden neurons circles and outputs diamonds, each in its own colour.
Connections are straight lines coloured by the sign of their weight (blue positive, red
negative, the colours of :func:`evotrain.viz.plot_network`), wider and more opaque the
larger ``|weight|`` relative to the largest; when there are more than ``max_lines``, only
the strongest ``max_lines`` are drawn (the title says so). Lines carry no arrows: the
direction is implied by the rows (upward in a feedforward substrate), and in a recurrent
substrate the two connections between a pair of neurons lie on top of each other (the
stronger drawn last). A recurrent substrate's self-connections are drawn as rings around
their neuron (coloured and sized likewise).

Matplotlib is imported (with the Agg backend) only when :func:`plot_substrate` runs, and
nothing here imports JAX.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from numbers import Integral
from pathlib import Path
from typing import Any

from evotrain.viz.network import FORMATS, NEGATIVE, POSITIVE

KIND = "hyperneat-substrate"
STYLES = {
    "input": {"marker": "s", "face": "#9ecae1", "label": "inputs"},
    "hidden": {"marker": "o", "face": "#ffffff", "label": "hidden"},
    "output": {"marker": "D", "face": "#fdae6b", "label": "outputs"},
}
_AXIS_NAMES = {2: ("x", "y"), 3: ("x", "y", "z"), 4: ("x", "y", "z", "layer")}


def _check(substrate: Any) -> int:
    """The coordinates per neuron of a substrate export; ValueError for anything else."""
    required = ("nodes", "connections", "positions", "num_inputs", "num_outputs")
    if (
        not isinstance(substrate, dict)
        or substrate.get("kind") != KIND
        or any(key not in substrate for key in required)
    ):
        got = (
            sorted(map(str, substrate)) if isinstance(substrate, dict) else type(substrate).__name__
        )
        raise ValueError(
            f"plot_substrate draws the dict substrate_to_dict writes (kind {KIND!r}, with "
            f"{', '.join(required)}); got {got}. Draw a NEAT genome with plot_network."
        )
    try:
        positions = substrate["positions"]
        dims = {len(c) for c in positions.values()}
        keys = {str(int(n["key"])) for n in substrate["nodes"]}
        ok = len(dims) == 1 and 0 not in dims and keys <= set(positions)
    except (AttributeError, KeyError, TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(
            "A substrate export needs a position (a list of coordinates of one length) for "
            "every node under 'positions'; this one does not have them."
        )
    return dims.pop()


def _axes(axes: Sequence[int] | None, dim: int) -> tuple[int, int] | None:
    """The two coordinate indices to draw (None for 1-D: coordinate 0 against the row)."""
    if axes is None:
        return None if dim == 1 else (0, dim - 1)
    ok = (
        isinstance(axes, Sequence)
        and len(axes) == 2
        and all(isinstance(a, Integral) and not isinstance(a, bool) and 0 <= a < dim for a in axes)
        and axes[0] != axes[1]
    )
    if not ok:
        hint = " (a 1-D substrate has one: leave axes=None)" if dim == 1 else ""
        raise ValueError(
            f"axes must be two different coordinate indices in [0, {dim}) for this {dim}-D "
            f"substrate{hint}; got {axes!r}."
        )
    return int(axes[0]), int(axes[1])


def _rows(substrate: dict[str, Any]) -> dict[int, int]:
    """Row index of every node: from ``rows`` when present, else inputs 0, hidden 1,
    outputs 2."""
    if "rows" in substrate:
        return {int(k): i for i, keys in enumerate(substrate["rows"]) for k in keys}
    n_in, n_out = int(substrate["num_inputs"]), int(substrate["num_outputs"])
    return {
        int(n["key"]): 0 if n["key"] < n_in else 2 if n["key"] < n_in + n_out else 1
        for n in substrate["nodes"]
    }


def substrate_layout(
    substrate: dict[str, Any], axes: Sequence[int] | None = None
) -> tuple[dict[int, tuple[float, float]], tuple[str, str]]:
    """Where :func:`plot_substrate` draws every neuron, and the two axis labels.

    Args:
        substrate: a dict of :func:`evotrain.hyperneat.export.substrate_to_dict`.
        axes: the two coordinate indices drawn across and up (default ``(0, dim - 1)``;
            a 1-D substrate draws its coordinate against the row index).

    Returns:
        ``{key: (across, up)}`` for every node, and the axes' labels.

    Raises:
        ValueError: a dict that is not a substrate export, or bad ``axes``.
    """
    dim = _check(substrate)
    chosen = _axes(axes, dim)
    positions = substrate["positions"]
    keys = sorted(int(n["key"]) for n in substrate["nodes"])
    if chosen is None:
        rows = _rows(substrate)
        return {k: (float(positions[str(k)][0]), float(rows[k])) for k in keys}, (
            "coordinate 0",
            "row",
        )
    a, b = chosen
    names = _AXIS_NAMES.get(dim, tuple(f"coordinate {i}" for i in range(dim)))
    pos = {k: (float(positions[str(k)][a]), float(positions[str(k)][b])) for k in keys}
    return pos, (names[a], names[b])


def plot_substrate(
    substrate: dict[str, Any],
    path: str | os.PathLike[str],
    *,
    title: str | None = None,
    max_lines: int = 2000,
    axes: Sequence[int] | None = None,
    overwrite: bool = False,
) -> Path:
    """Draws a substrate network at its neurons' coordinates and writes it to ``path``.

    Args:
        substrate: a dict of :func:`evotrain.hyperneat.export.substrate_to_dict`.
        path: the file to write; its suffix picks the format (``.svg``, ``.png``, ``.pdf``).
        title: a title above the drawing (default: neuron and connection counts).
        max_lines: draw at most this many connections, the strongest (``|weight|``).
        axes: the two coordinate indices drawn across and up (default: the first and the
            last, ``(0, dim - 1)``: ``(x, y)`` in 2-D, ``(x, layer)`` for 4-D body
            substrates; a 1-D substrate draws its coordinate against the row).
        overwrite: replace an existing file.

    Returns:
        The path written.

    Raises:
        ValueError: an unsupported suffix, a dict that is not a substrate export, bad
            ``axes`` or a negative ``max_lines``.
        FileExistsError: if ``path`` exists and ``overwrite`` is False.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.collections import LineCollection
    from matplotlib.colors import to_rgba
    from matplotlib.lines import Line2D

    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise ValueError(f"Cannot draw to {path.name!r}: use a {', '.join(FORMATS)} file name.")
    pos, labels = substrate_layout(substrate, axes)
    if isinstance(max_lines, bool) or not isinstance(max_lines, int) or max_lines < 0:
        raise ValueError(f"max_lines must be a non-negative integer, got {max_lines!r}.")
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it.")

    n_in, n_out = int(substrate["num_inputs"]), int(substrate["num_outputs"])
    keys = sorted(pos)
    conns = [
        c
        for c in substrate["connections"]
        if c["enabled"]
        and float(c["weight"]) != 0.0
        and int(c["in"]) in pos
        and int(c["out"]) in pos
    ]
    total = len(conns)
    conns = sorted(conns, key=lambda c: abs(float(c["weight"])))  # weakest first: drawn under
    if len(conns) > max_lines:
        conns = conns[len(conns) - max_lines :] if max_lines else []
    scale = max((abs(float(c["weight"])) for c in conns), default=1.0) or 1.0

    def style(weight: float) -> tuple[tuple[float, ...], float]:
        strength = abs(weight) / scale
        colour = to_rgba(POSITIVE if weight >= 0 else NEGATIVE, 0.15 + 0.7 * strength)
        return colour, 0.3 + 2.2 * strength

    xs = np.array([p[0] for p in pos.values()])
    ys = np.array([p[1] for p in pos.values()])
    span = max(float(np.ptp(xs)), float(np.ptp(ys)), 1e-6)
    fig, ax = plt.subplots(figsize=(7.5, 6.0))
    segments, colours, widths, loops = [], [], [], []
    for c in conns:
        src, dst, w = int(c["in"]), int(c["out"]), float(c["weight"])
        colour, width = style(w)
        if src == dst:
            loops.append((pos[src], colour, width))
        else:
            segments.append((pos[src], pos[dst]))
            colours.append(colour)
            widths.append(width)
    if segments:
        lines = LineCollection(segments, colors=colours, linewidths=widths, zorder=1)
        lines.set_gid("connections")
        ax.add_collection(lines)
    for (x, y), colour, width in loops:  # self-connections: rings around the neuron
        ax.scatter(
            [x], [y], s=260, facecolors="none", edgecolors=[colour], linewidths=width, zorder=2
        )
    small = len(keys) <= 60
    for kind, members in (
        ("input", [k for k in keys if k < n_in]),
        ("hidden", [k for k in keys if k >= n_in + n_out]),
        ("output", [k for k in keys if n_in <= k < n_in + n_out]),
    ):
        if not members:
            continue
        spec = STYLES[kind]
        points = ax.scatter(
            [pos[k][0] for k in members],
            [pos[k][1] for k in members],
            s=90 if small else 40,
            marker=spec["marker"],
            c=spec["face"],
            edgecolors="#333333",
            linewidths=0.8,
            zorder=3,
            label=f"{spec['label']} ({len(members)})",
        )
        points.set_gid(f"{kind}_neurons")
    if small:
        for k in keys:
            ax.annotate(
                str(k),
                pos[k],
                xytext=(5, 5),
                textcoords="offset points",
                fontsize=6,
                color="#444444",
                zorder=4,
            )
    handles, names = ax.get_legend_handles_labels()
    handles += [Line2D([], [], color=POSITIVE, lw=2), Line2D([], [], color=NEGATIVE, lw=2)]
    names += ["positive weight", "negative weight"]
    ax.legend(handles, names, fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    hidden = sum(1 for k in keys if k >= n_in + n_out)
    kind = "feedforward" if substrate.get("feedforward", True) else "recurrent"
    default_title = (
        f"{kind} substrate: {n_in} inputs, {hidden} hidden, {n_out} outputs; {total} connections"
    )
    if len(conns) < total:
        default_title += f" ({len(conns)} strongest drawn)"
    ax.set_title(title if title is not None else default_title, fontsize=9)
    margin = 0.08 * span
    ax.set_xlim(float(xs.min()) - margin, float(xs.max()) + margin)
    ax.set_ylim(float(ys.min()) - margin, float(ys.max()) + margin)
    ax.set_xlabel(labels[0], fontsize=8)
    ax.set_ylabel(labels[1], fontsize=8)
    ax.tick_params(labelsize=7)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=150)
    plt.close(fig)
    return path


__all__ = ["STYLES", "plot_substrate", "substrate_layout"]
