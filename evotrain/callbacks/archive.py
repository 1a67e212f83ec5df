"""Record a quality-diversity archive as it fills, for :func:`evotrain.viz.animate_archive`."""

from __future__ import annotations

import json
import os

import numpy as np

from evotrain.callbacks.archive_file import ARCHIVE_FILE, layout_record, read_archive_records
from evotrain.callbacks.base import BaseCallback
from evotrain.distributed import is_main_process


class RecordArchive(BaseCallback):
    """Appends the archive's filled cells and their fitness to ``<folder>/archive.jsonl``
    at every generation that is a multiple of ``every``, and after the last.

    Args:
        folder: the run folder (default: the model's logger folder).
        every: generations between records.

    Raises:
        TypeError: at training start, for a model without an archive.
        ValueError: at training start, without a folder, or for ``every < 1``.
        FileExistsError: at training start, if the file holds another archive's cells or
            records generations beyond the model's (another run's; never overwritten).
    """

    def __init__(self, folder: str | os.PathLike[str] | None = None, every: int = 1) -> None:
        super().__init__()
        if every < 1:
            raise ValueError(f"every must be at least 1, got {every}.")
        self.folder = None if folder is None else os.fspath(folder)
        self.every = int(every)
        self._last: int | None = None

    @property
    def path(self) -> str:
        return os.path.join(self.folder or "", ARCHIVE_FILE)

    def _init_callback(self) -> None:
        model = self.model
        if not hasattr(model, "archive") or not hasattr(model, "layout"):
            raise TypeError(
                f"RecordArchive records quality-diversity archives; {type(model).__name__} "
                "has none (use MAPElites, CMAME, MEES or NEATMAPElites)."
            )
        if self.folder is None:
            self.folder = model.logger.get_dir()
        if self.folder is None:
            raise ValueError(
                "RecordArchive needs a folder: RecordArchive('runs/qd'), or a logger that "
                "writes to one (model.set_logger(configure('runs/qd', ['csv'])))."
            )
        layout = layout_record(model.layout, model.archive.centroids)
        if os.path.isfile(self.path):
            recorded, records = read_archive_records(self.path)
            done = [r["generation"] for r in records]
            if recorded != json.loads(json.dumps(layout)):
                raise FileExistsError(
                    f"{self.path} records another archive's cells: choose another folder."
                )
            if done and max(done) > model.num_generations:
                raise FileExistsError(
                    f"{self.path} already records generations up to {max(done)}, beyond this "
                    f"model's {model.num_generations}: choose another folder."
                )
        elif is_main_process():
            os.makedirs(self.folder, exist_ok=True)
            with open(self.path, "w", encoding="utf-8") as f:
                f.write(json.dumps({"layout": layout}) + "\n")

    def _record(self) -> None:
        self._last = self.num_generations
        if not is_main_process():
            return
        archive = self.model.archive
        filled = np.asarray(archive.filled)
        cells = np.flatnonzero(filled)
        record = {
            "generation": self.num_generations,
            "cells": cells.tolist(),
            "fitness": np.asarray(archive.fitness, np.float64)[cells].tolist(),
        }
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")

    def generations_until_read(self) -> int | None:
        """The next multiple of ``every`` (it reads the archive then)."""
        return self.every - self.model.num_generations % self.every

    def _on_generation_end(self) -> bool:
        if self.num_generations % self.every == 0:
            self._record()
        return True

    def _on_training_end(self) -> None:
        if self._last != self.num_generations:
            self._record()


__all__ = ["ARCHIVE_FILE", "RecordArchive", "layout_record", "read_archive_records"]
