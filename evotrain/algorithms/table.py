"""The per-generation table printed at ``verbose=1``."""

from __future__ import annotations

from typing import Any

COLUMNS = (
    ("gen", 6, "generation", "d"),
    ("best", 11, "fitness_max", ".4g"),
    ("mean", 11, "fitness_mean", ".4g"),
    ("std", 10, "fitness_std", ".3g"),
    ("nonfin", 6, "nonfinite", "d"),
    ("env steps", 12, "total_env_steps", "d"),
    ("steps/s", 10, "steps_per_s", ".3g"),
    ("elapsed", 8, "elapsed_s", ".1f"),
)


def header(extra: tuple[tuple[str, str], ...] = ()) -> str:
    """The table header; ``extra`` holds ``(title, metric key)`` columns."""
    cols = [f"{name:>{w}}" for name, w, _, _ in COLUMNS] + [f"{e:>9}" for e, _ in extra]
    line = " | ".join(cols)
    return f"{line}\n{'-' * len(line)}"


def row(values: dict[str, Any], extra: tuple[tuple[str, str], ...] = ()) -> str:
    cells = []
    for _, width, key, fmt in COLUMNS:
        value = values[key]
        cells.append(f"{value:>{width}{fmt}}")
    for _, key in extra:
        value = values.get(key, float("nan"))
        cells.append(f"{value:>9}" if isinstance(value, str) else f"{value:>9.4g}")
    return " | ".join(cells)
