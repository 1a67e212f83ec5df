"""A zoo agent's model card (``README.md``): score, budget, usage, the command that
reproduces it, its hyperparameters, rollout, learning curve, networks or archive, and the
zoo's other agents for the same env."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evotrain import zoo
from evotrain.algorithms.registry import algorithm_class
from evotrain.zoo.archive_card import archive_lines

EVAL_SEED = 1000
"""The seed of a card's evaluation episodes and rollout."""


def _platform_lines(manifest: dict[str, Any]) -> list[str]:
    cpu = manifest["hardware"].get("cpu")
    if not cpu:
        return []
    return [
        f"The score was measured on {cpu} with JAX {manifest['versions']['jax']}: there "
        "`evotrain zoo eval` reproduces every episode; on another CPU model float sums may "
        "round differently, long contact-rich episodes drift apart and the mean agrees "
        "within its noise.",
        "",
    ]


def card(agent_id: str, manifest: dict[str, Any], extras: dict[str, str]) -> str:
    ev = manifest["evaluation"]
    algo, env = manifest["algorithm"], manifest["env_id"]
    lines = [
        f"# {algorithm_class(algo).display_name} agent for {env}",
        "",
        f"**Score: {ev['mean']:.2f} +/- {ev['std']:.2f}** (deterministic, {ev['n_episodes']} "
        f"episodes, evaluation seed {ev['seed']}, episode length {manifest['episode_length']}"
        + (f", backend `{manifest['backend']}`" if manifest.get("backend") else "")
        + ").",
        "",
        f"Budget: population {manifest['hyperparams'].get('pop_size', '?')} x "
        + (
            f"{episodes} episodes x "
            if (episodes := manifest["hyperparams"].get("n_episodes", 1)) > 1
            else ""
        )
        + f"{manifest['generations']} generations = {manifest['env_steps']:,} env steps, "
        f"{manifest['wall_time_s']:.0f} s on {manifest['hardware']['machine']} "
        f"({manifest['hardware']['cpu_count']} cores, JAX {manifest['hardware']['jax_backend']}).",
        "",
        *_platform_lines(manifest),
        *_selection_lines(manifest),
        "## Usage",
        "",
        "```python",
        "from evotrain import zoo, evaluate_policy",
        f'model = zoo.load("{agent_id}")',
        "print(evaluate_policy(model, model.get_env(), n_eval_episodes=20))",
        "```",
        "",
        "## Reproduce",
        "",
        "```",
        manifest["command"],
        "```",
        "",
        "## Hyperparameters",
        "",
        "```json",
        json.dumps(
            # the settings trained with: the run's length, not the kept generation's
            {"policy": manifest["policy"], "generations": _trained(manifest)}
            | manifest["hyperparams"],
            indent=1,
            default=str,
        ),
        "```",
    ]
    if "video" in extras:
        speed = manifest["video"].get("speed", 1.0)
        shown = f", shown at {speed:.3g}x speed" if speed > 1.001 else ""
        lines += [
            "",
            "## Rollout",
            "",
            f"![rollout]({extras['video']})",
            "",
            f"One deterministic episode (seed {EVAL_SEED}, return {extras['video_return']}"
            f"{shown}), drawn with `evotrain zoo render {agent_id}`.",
        ]
    if "archive" in manifest:
        lines += archive_lines(agent_id, manifest, extras)
    if "curve" in extras:
        lines += ["", "## Learning curve", "", f"![learning curve]({extras['curve']})"]
    if "substrate" in extras:
        lines += [
            "",
            "## Networks",
            "",
            "The CPPN NEAT evolved (inputs: source and target coordinates, their distance):",
            "",
            f"![CPPN]({extras['network']})",
            "",
            "The substrate network it generates, neurons at their coordinates (the agent's "
            "policy; `substrate.json` runs it with `NumpyNetwork`, no JAX needed):",
            "",
            f"![substrate]({extras['substrate']})",
        ]
    elif "network" in extras:
        lines += ["", "## Network", "", f"![topology]({extras['network']})"]
    if "formula" in extras:
        lines += [
            "",
            "Its outputs as formulas of the observation:",
            "",
            "$$",
            extras["formula"],
            "$$",
        ]
    if extras.get("comparison"):
        lines += ["", extras["comparison"]]
    return "\n".join(lines) + "\n"


def comparison_lines(manifest: dict[str, Any], root: Path) -> list[str]:
    """The card's table of the zoo's other agents for the same env: score and budget side
    by side, and how this agent's score and env steps compare with each."""
    others = [
        a
        for a in zoo.list_agents(root)
        if a.manifest["env_id"] == manifest["env_id"] and a.id != manifest["id"]
    ]
    if not others:
        return []
    mean = manifest["evaluation"]["mean"]
    lines = [
        "## Other agents for this env",
        "",
        "| agent | backend | score | env steps | training time | this agent's score / env steps |",
        "|---|---|---|---|---|---|",
    ]
    for a in others:
        m = a.manifest
        other_mean = a.score[0]
        lines.append(
            f"| [{a.id}](../{a.id}/README.md) | {m.get('backend') or '-'} | "
            f"{other_mean:.1f} +/- {a.score[1]:.1f} | {m['env_steps']:,} | "
            f"{duration(m['wall_time_s'])} | {mean - other_mean:+.1f} / "
            f"{manifest['env_steps'] / max(m['env_steps'], 1):.2f}x |"
        )
    return lines


def _selection_lines(manifest: dict[str, Any]) -> list[str]:
    """The card's sentence on how the saved generation was chosen (none without selection)."""
    sel = manifest.get("selection")
    if not sel:
        return []
    return [
        f"Selected: the model of generation {sel['generation']} of "
        f"{manifest['trained_generations']}, whose mean return {sel['mean_return']:.2f} over "
        f"{sel['eval_episodes']} held-out deterministic episodes (seed {sel['eval_seed']}, "
        f"evaluated every {sel['eval_freq']} generations) was the best; the score above comes "
        "from other episodes.",
        "",
    ]


def _trained(manifest: dict[str, Any]) -> int:
    """Generations the run trained (more than the agent's when an earlier one was kept)."""
    return int(manifest.get("trained_generations", manifest["generations"]))


def generations(manifest: dict[str, Any]) -> str:
    """``G`` or ``G of N`` when generation ``G`` of an ``N``-generation run was kept."""
    g, n = manifest["generations"], _trained(manifest)
    return str(g) if g == n else f"{g} of {n}"


def duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"


__all__ = ["EVAL_SEED", "card", "comparison_lines", "duration", "generations"]
