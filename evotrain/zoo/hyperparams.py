"""Hyperparameter files in rl-baselines3-zoo's layout: ``<algo>.yaml`` keyed by env id.

::

    default:                     # used for env ids without an entry of their own
      pop_size: 256
    brax:hopper:
      policy: FeedForward        # the policy alias (default per algorithm)
      generations: 50            # how long `evotrain train` runs unless told otherwise
      eval_freq: 5               # held-out evaluation every 5 generations; the best is kept
      eval_episodes: 10          # episodes of each held-out evaluation
      pop_size: 256
      env_kwargs: {backend: spring, episode_length: 1000}

Every other key is a constructor keyword of the algorithm. YAML anchors and merges work.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

SPECIAL_KEYS = ("policy", "generations", "eval_freq", "eval_episodes")


def default_policy(algorithm: str) -> str:
    """The policy alias an algorithm's entries use unless they name one (its class's
    ``default_policy``; imports the class).

    Raises:
        ValueError: for an unknown algorithm.
    """
    from evotrain.algorithms.registry import algorithm_class

    return str(algorithm_class(algorithm).default_policy)


def default_file(algorithm: str) -> Path:
    """``zoo/hyperparams/<algorithm>.yaml`` of the zoo root."""
    from evotrain.zoo import zoo_root

    return zoo_root() / "hyperparams" / f"{algorithm.lower()}.yaml"


def load_hyperparams(path: str | os.PathLike[str], env_id: str) -> tuple[dict[str, Any], str]:
    """The settings for ``env_id`` in a hyperparameter file.

    Returns:
        ``(settings, key)``: a copy of the entry and the key it came from (``env_id`` or
        ``"default"``).

    Raises:
        FileNotFoundError: no such file.
        ValueError: the file is not a mapping of mappings, or has neither ``env_id`` nor
            ``default`` (the message lists its entries).
    """
    path = Path(path)
    with open(path, encoding="utf-8") as f:
        try:
            table = yaml.safe_load(f) or {}
        except yaml.YAMLError as err:
            raise ValueError(f"{path} is not valid YAML: {err}") from err
    if not isinstance(table, dict) or not all(isinstance(v, dict) for v in table.values()):
        raise ValueError(f"{path} must map env ids (and 'default') to settings.")
    for key in (env_id, "default"):
        if key in table:
            return dict(table[key]), key
    raise ValueError(
        f"{path} has no entry for {env_id!r} and no 'default'; it has: {', '.join(table)}."
    )


def parse_override(text: str) -> tuple[str, Any]:
    """``"pop_size=512"`` -> ``("pop_size", 512)``; values are read as YAML scalars/lists.

    Raises:
        ValueError: without ``=``.
    """
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise ValueError(f"Expected key=value, got {text!r} (e.g. pop_size=512).")
    return key.strip(), yaml.safe_load(value)


__all__ = ["SPECIAL_KEYS", "default_file", "default_policy", "load_hyperparams", "parse_override"]
