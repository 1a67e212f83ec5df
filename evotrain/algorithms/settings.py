"""Checks every algorithm's constructor keywords pass before anything is built."""

from __future__ import annotations

from typing import Any

from evotrain.types import nonfinite_setting, positive_float

POSITIVE_SETTINGS = frozenset(
    {
        "learning_rate",
        "sigma",
        "sigma_init",
        "init_sigma",
        "mutation_sigma",
        "lr_std",
        "lr_B",
        "std_lr",
        "max_velocity",
        "std_max_change",
        "max_weight",
    }
)
"""Constructor keywords of any algorithm that are step sizes or scales: finite and > 0."""


def check_settings(owner: str, kwargs: dict[str, Any]) -> None:
    """Refuses, before anything is built, settings no algorithm can run with: any
    non-finite float among the keywords (nested ones in ``policy_kwargs``, ``env_kwargs``
    and an evosax strategy's options included), and a step size or scale
    (:data:`POSITIVE_SETTINGS`) that is not > 0.

    Raises:
        ValueError: naming the keyword and its value.
    """
    for name, value in kwargs.items():
        bad = nonfinite_setting(value, name)
        if bad is not None:
            raise ValueError(
                f"{owner}: {bad} must be a finite number, got {value!r:.80}. Non-finite "
                "settings would turn every parameter into NaN; give a finite value."
            )
        if name in POSITIVE_SETTINGS and value is not None:
            positive_float(f"{owner}: {name}", value)


__all__ = ["POSITIVE_SETTINGS", "check_settings"]
