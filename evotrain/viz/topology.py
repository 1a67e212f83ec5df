"""A NEAT run's topology over its generations, as a GIF or a self-contained HTML page.

Reads the ``topology.jsonl`` that :class:`~evotrain.callbacks.RecordTopology` writes (the
best genome of each generation) and draws one frame per generation: the network (blue
positive and red negative connections, width by magnitude, dashed when disabled, each
connection's historical marker ``in>out`` small and grey) beside the best fitness so far.

>>> animate_topology("runs/xor", "xor.gif")    # one frame per generation
>>> animate_topology("runs/xor", "xor.html")   # a page with a generation slider

The HTML page carries its data and script inline and loads nothing from the network, so it
opens offline.
"""

from __future__ import annotations

import html
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from evotrain.callbacks.topology_file import read_topology
from evotrain.viz.network import NEGATIVE, POSITIVE, _labels, draw_network, network_layout

FORMATS = (".gif", ".html")


def animate_topology(
    run: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    fps: float = 4.0,
    title: str | None = None,
    overwrite: bool = False,
) -> Path:
    """Writes the animation of a recorded run to ``out`` (``.gif`` or ``.html``).

    Args:
        run: the run folder holding ``topology.jsonl`` (or the file itself).
        out: the file to write; its suffix picks the format.
        fps: generations per second (the GIF's frame rate; the page's playback speed).
        title: a title (default: the run folder's name).
        overwrite: replace an existing file.

    Returns:
        The path written.

    Raises:
        ValueError: an unsupported suffix, or a file with no records.
        FileExistsError: ``out`` exists and ``overwrite`` is False.
        FileNotFoundError: no ``topology.jsonl`` at ``run``.
    """
    out = Path(out)
    if out.suffix.lower() not in FORMATS:
        raise ValueError(f"Write the animation to a .gif or .html file, not {out.name!r}.")
    if out.exists() and not overwrite:
        raise FileExistsError(f"{out} exists; pass overwrite=True (CLI: --force) to replace it.")
    records = read_topology(run)
    if not records:
        raise ValueError(f"{run} records no generations yet.")
    title = title if title is not None else Path(os.fspath(run)).name
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".gif":
        from evotrain.viz.video import save_video

        return save_video(gif_frames(records, title), out, fps, overwrite=True)
    out.write_text(page(records, title, fps), encoding="utf-8")
    return out


def gif_frames(records: list[dict[str, Any]], title: str) -> list[np.ndarray]:
    """One ``(height, width, 3)`` uint8 frame per record: network and fitness curve."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    generations = [r["generation"] for r in records]
    fitness = [r["best_fitness"] for r in records]
    frames = []
    fig, (net, curve) = plt.subplots(
        1, 2, figsize=(9.0, 4.0), gridspec_kw={"width_ratios": [1.6, 1.0]}, dpi=80
    )
    for i, record in enumerate(records):
        net.clear()
        curve.clear()
        genome = record["genome"]
        draw_network(net, genome, _labels(genome, None, None), markers=True)
        net.set_xlim(-0.12, 1.12)
        net.set_ylim(-0.15, 1.15)
        net.axis("off")
        curve.plot(generations, fitness, color="#cccccc", linewidth=1.0)
        curve.plot(generations[: i + 1], fitness[: i + 1], color="#1f5fbf", linewidth=1.5)
        curve.scatter([generations[i]], [fitness[i]], color="#1f5fbf", zorder=3)
        curve.set_xlabel("generation")
        curve.set_ylabel("best fitness")
        curve.set_title(f"generation {generations[i]}: {fitness[i]:.4g}", fontsize=9)
        fig.suptitle(title, fontsize=10)
        fig.tight_layout()
        fig.canvas.draw()
        frames.append(np.asarray(fig.canvas.buffer_rgba())[..., :3].copy())
    plt.close(fig)
    return frames


def page_data(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the page draws per generation: node positions and kinds, connections."""
    data = []
    for r in records:
        genome = r["genome"]
        pos = network_layout(genome)
        labels = _labels(genome, None, None)
        n_in, n_out = int(genome["num_inputs"]), int(genome["num_outputs"])
        nodes = [
            {
                "k": key,
                "x": round(x, 4),
                "y": round(y, 4),
                "t": "i" if key < n_in else "o" if key < n_in + n_out else "h",
                "l": labels[key].split("\n")[0],
            }
            for key, (x, y) in sorted(pos.items())
        ]
        conns = [
            {
                "a": int(c["in"]),
                "b": int(c["out"]),
                "w": round(float(c["weight"]), 4),
                "e": bool(c["enabled"]),
            }
            for c in genome["connections"]
            if c["in"] in pos and c["out"] in pos
        ]
        data.append({"g": r["generation"], "f": r["best_fitness"], "n": nodes, "c": conns})
    return data


def page(records: list[dict[str, Any]], title: str, fps: float) -> str:
    """The self-contained HTML page (inline data, style and script; no network URL)."""
    data = json.dumps(page_data(records), separators=(",", ":"))
    return (
        _PAGE.replace("__TITLE__", html.escape(title))
        .replace("__DATA__", data.replace("</", "<\\/"))
        .replace("__DELAY__", str(int(1000 / max(fps, 0.1))))
        .replace("__POSITIVE__", POSITIVE)
        .replace("__NEGATIVE__", NEGATIVE)
    )


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>__TITLE__</title>
<style>
body { font-family: sans-serif; margin: 16px; color: #222; }
#row { display: flex; gap: 16px; align-items: flex-start; }
svg { border: 1px solid #ddd; background: #fff; }
#controls { margin: 8px 0; display: flex; gap: 12px; align-items: center; }
#gen { width: 420px; }
</style></head>
<body>
<h2>__TITLE__</h2>
<div id="controls">
  <button id="play">play</button>
  <input id="gen" type="range" min="0" value="0" step="1">
  <span id="label"></span>
</div>
<div id="row">
  <svg id="net" width="640" height="420" viewBox="0 0 640 420"></svg>
  <svg id="fit" width="360" height="420" viewBox="0 0 360 420"></svg>
</div>
<script>
const DATA = __DATA__;
const POS = "__POSITIVE__", NEG = "__NEGATIVE__";
const slider = document.getElementById("gen");
slider.max = DATA.length - 1;
function px(x) { return 50 + x * 540; }
function py(y) { return 370 - y * 320; }
function drawNet(d) {
  const at = {};
  d.n.forEach(n => { at[n.k] = n; });
  const scale = Math.max(1e-9, ...d.c.map(c => Math.abs(c.w)));
  let s = '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="5" ' +
          'markerHeight="5" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#666"/></marker></defs>';
  d.c.forEach(c => {
    const a = at[c.a], b = at[c.b];
    const x1 = px(a.x), y1 = py(a.y), x2 = px(b.x), y2 = py(b.y);
    const width = 0.8 + 4 * Math.abs(c.w) / scale;
    const color = c.w >= 0 ? POS : NEG;
    const dash = c.e ? "" : ' stroke-dasharray="5,4" opacity="0.45"';
    const bend = x2 > x1 ? 0 : 60;
    const mx = (x1 + x2) / 2, my = (y1 + y2) / 2 - bend;
    s += `<path d="M${x1},${y1} Q${mx},${my} ${x2},${y2}" fill="none" stroke="${color}" ` +
         `stroke-width="${width.toFixed(2)}"${dash} marker-end="url(#arrow)"/>`;
    s += `<text x="${mx}" y="${(y1 + y2) / 2 - bend / 2 - 4}" font-size="9" fill="#999" ` +
         `text-anchor="middle">${c.a}&gt;${c.b}</text>`;
  });
  d.n.forEach(n => {
    const fill = n.t === "i" ? "#e8eef7" : n.t === "o" ? "#f7ece0" : "#fff";
    s += `<circle cx="${px(n.x)}" cy="${py(n.y)}" r="16" fill="${fill}" stroke="#333"/>`;
    s += `<text x="${px(n.x)}" y="${py(n.y) + 4}" font-size="11" text-anchor="middle">${n.l}</text>`;
  });
  const hidden = d.n.filter(n => n.t === "h").length;
  const enabled = d.c.filter(c => c.e).length;
  s += `<text x="10" y="20" font-size="13">${hidden} hidden, ${enabled} enabled connections</text>`;
  document.getElementById("net").innerHTML = s;
}
function drawFitness(i) {
  const f = DATA.map(d => d.f), g = DATA.map(d => d.g);
  const lo = Math.min(...f), hi = Math.max(...f), span = hi - lo || 1;
  const gx = k => 40 + 300 * (DATA.length > 1 ? k / (DATA.length - 1) : 0.5);
  const fy = v => 380 - 340 * (v - lo) / span;
  const all = f.map((v, k) => `${gx(k)},${fy(v)}`).join(" ");
  const done = f.slice(0, i + 1).map((v, k) => `${gx(k)},${fy(v)}`).join(" ");
  document.getElementById("fit").innerHTML =
    `<polyline points="${all}" fill="none" stroke="#ccc"/>` +
    `<polyline points="${done}" fill="none" stroke="${POS}" stroke-width="2"/>` +
    `<circle cx="${gx(i)}" cy="${fy(f[i])}" r="4" fill="${POS}"/>` +
    `<text x="40" y="405" font-size="12">generation</text>` +
    `<text x="40" y="20" font-size="12">best fitness ${f[i].toPrecision(4)}</text>`;
}
function show(i) {
  slider.value = i;
  document.getElementById("label").textContent = `generation ${DATA[i].g} of ${DATA[DATA.length - 1].g}`;
  drawNet(DATA[i]);
  drawFitness(i);
}
let timer = null;
document.getElementById("play").onclick = () => {
  if (timer) { clearInterval(timer); timer = null; return; }
  timer = setInterval(() => {
    const next = Number(slider.value) + 1;
    if (next >= DATA.length) { clearInterval(timer); timer = null; return; }
    show(next);
  }, __DELAY__);
};
slider.oninput = () => show(Number(slider.value));
show(0);
</script>
</body></html>
"""


__all__ = ["animate_topology", "gif_frames", "page", "page_data"]
