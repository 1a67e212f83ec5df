"""A rich progress bar over the generations of one ``learn`` call."""

from __future__ import annotations

from typing import Any

from evotrain.callbacks.base import BaseCallback
from evotrain.distributed import is_main_process


class ProgressBarCallback(BaseCallback):
    """Shows generations done, the best fitness so far, elapsed and remaining time.

    ``learn(..., progress_bar=True)`` adds one.
    """

    def __init__(self) -> None:
        super().__init__()
        self._bar: Any = None
        self._task: Any = None

    def _on_training_start(self) -> None:
        if not is_main_process():  # one bar per run, on process 0
            return
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        total = self.total_generations
        self._bar = Progress(
            TextColumn("[bold]generations"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("best {task.fields[best]}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
        )
        self._task = self._bar.add_task("learn", total=total, best="-")
        self._bar.start()

    def generations_until_read(self) -> int | None:
        """Never: the bar shows the infos."""
        return None

    def _on_generation_end(self) -> bool:
        assert self.info is not None
        if self._bar is not None:
            self._bar.update(self._task, advance=1, best=f"{self.info.best_fitness:.4g}")
        return True

    def _on_training_end(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


__all__ = ["ProgressBarCallback"]
