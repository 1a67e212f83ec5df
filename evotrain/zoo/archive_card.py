"""What a zoo card shows of a quality-diversity agent: its archive as a heatmap, the
archive filling in, and a few elites of different behaviours with their rollouts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

ELITES_SHOWN = 3
"""Elites a card shows: the fittest, and those with the lowest and highest first
descriptor value (fewer when fewer cells are filled)."""


def shown_elites(model: Any) -> list[int]:
    """The cells of the elites a card shows (see :data:`ELITES_SHOWN`), fittest first."""
    archive = model.archive
    filled = np.asarray(archive.filled)
    cells = np.flatnonzero(filled)
    fitness = np.asarray(archive.fitness)[cells]
    first = np.asarray(archive.descriptors)[cells, 0]
    picks = [cells[np.argmax(fitness)], cells[np.argmin(first)], cells[np.argmax(first)]]
    out: list[int] = []
    for cell in picks:
        if int(cell) not in out:
            out.append(int(cell))
    return out[:ELITES_SHOWN]


def archive_files(
    model: Any, run: Path, folder: Path, video: Any, returns: Any, acting: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Writes the archive's heatmap, its animation (when the run recorded one with
    :class:`~evotrain.callbacks.RecordArchive`) and the shown elites' rollouts into
    ``folder``.

    Args:
        model: the trained quality-diversity model.
        run: its run folder.
        folder: the agent folder being built.
        video: ``video(model, path) -> dict``, the card's rollout writer.
        returns: ``returns(model) -> dict``, the card's deterministic evaluation.
        acting: the card's rollout of the fittest elite (the model acts with it): its
            entry, reused rather than drawn twice.

    Returns:
        ``(the manifest's "archive" entry, the card's extras)``.
    """
    from evotrain.viz.archive import animate_archive, plot_archive

    archive = model.archive
    filled = np.asarray(archive.filled)
    fitness = np.asarray(archive.fitness, np.float64)
    extras = {"heatmap": plot_archive(model, folder / "archive.png").name}
    if (run / "archive.jsonl").is_file():
        extras["animation"] = animate_archive(run, folder / "archive.gif", fps=8.0).name
    elites = []
    fittest = int(np.argmax(np.where(filled, fitness, -np.inf)))
    for cell in shown_elites(model):
        model.select(np.asarray(archive.descriptors[cell]))
        rollout = acting if cell == fittest else video(model, folder / f"elite_{cell}.gif")
        elites.append(
            {
                "cell": cell,
                "descriptor": np.asarray(archive.descriptors[cell], np.float64).tolist(),
                "fitness": float(fitness[cell]),
                "evaluation": returns(model),
                "video": rollout,
            }
        )
    model.select(None)
    settings = model.settings
    entry = {
        "descriptor": model.eval_config.descriptor,
        "cells": int(filled.size),
        "filled": int(filled.sum()),
        "coverage": float(filled.mean()),
        "qd_score": float(np.sum(fitness[filled] - float(settings.qd_offset))),
        "qd_offset": float(settings.qd_offset),
        "elites": elites,
    }
    return entry, extras


def archive_lines(agent_id: str, manifest: dict[str, Any], extras: dict[str, str]) -> list[str]:
    """The card's section on the archive."""
    a = manifest["archive"]
    lines = [
        "",
        "## Archive",
        "",
        f"{a['filled']} of {a['cells']} cells of the `{a['descriptor']}` descriptor hold an "
        f"elite (coverage {a['coverage']:.1%}); QD score {a['qd_score']:.1f} (offset "
        f"{a['qd_offset']:g}). `predict` acts with the fittest elite; "
        f'`zoo.load("{agent_id}").select(descriptor)` switches to the elite nearest a '
        "behaviour.",
        "",
        f"![archive]({extras['heatmap']})",
    ]
    if "animation" in extras:
        lines += ["", "The archive filling in:", "", f"![archive filling]({extras['animation']})"]
    lines += [
        "",
        "Elites of different behaviours (deterministic score over the card's episodes; an "
        "elite's fitness in training is the return of the one episode that put it in the "
        "archive, and a lucky episode can keep an elite that scores less over these):",
        "",
        "| cell | descriptor | fitness in training | score | rollout |",
        "|---|---|---|---|---|",
    ]
    for e in a["elites"]:
        desc = ", ".join(f"{x:.3g}" for x in e["descriptor"])
        ev = e["evaluation"]
        lines.append(
            f"| {e['cell']} | ({desc}) | {e['fitness']:.2f} | {ev['mean']:.2f} +/- "
            f"{ev['std']:.2f} | ![elite {e['cell']}]({e['video']['file']}) |"
        )
    return lines


__all__ = ["ELITES_SHOWN", "archive_files", "archive_lines", "shown_elites"]
