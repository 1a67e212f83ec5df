"""Periodic checkpoints of the whole model, for resuming long runs.

Each checkpoint is a saved model (``model.save``: Orbax + JSON, written to a hidden
temporary folder and renamed into place), so a run killed mid-save leaves at most a hidden
``.{name}.saving-*`` folder that :func:`latest_checkpoint` never picks up::

    path = latest_checkpoint("checkpoints/")
    model = NEAT.load(path)
    model.learn(remaining, reset_num_generations=False,   # exactly as if never stopped
                callback=CheckpointCallback(10, "checkpoints/", resume=True))

A checkpoint folder belongs to one run (:mod:`evotrain.persistence.run_folder`): a second
run pointed at it is refused, naming the run that owns it, unless it resumes into it with
``resume=True``; then it continues the numbering. No checkpoint is ever replaced.
"""

from __future__ import annotations

import os
import re
import shutil

from evotrain import distributed
from evotrain.callbacks.base import BaseCallback
from evotrain.distributed import is_main_process, print_main
from evotrain.persistence.run_folder import RunFolderInUseError, claim
from evotrain.types import positive_int


def _checkpoints(save_path: str, name_prefix: str) -> list[tuple[int, str]]:
    """``(generation, path)`` of the complete checkpoints in ``save_path``, oldest first."""
    if not os.path.isdir(save_path):
        return []
    pattern = re.compile(rf"^{re.escape(name_prefix)}_(\d+)_generations$")
    found = []
    for name in os.listdir(save_path):
        match = pattern.match(name)
        full = os.path.join(save_path, name)
        if match and os.path.isfile(os.path.join(full, "evotrain.json")):
            found.append((int(match.group(1)), full))
    return sorted(found)


def latest_checkpoint(save_path: str, name_prefix: str = "evotrain_model") -> str | None:
    """The newest complete checkpoint written by :class:`CheckpointCallback` (None if none)."""
    found = _checkpoints(os.fspath(save_path), name_prefix)
    return found[-1][1] if found else None


class CheckpointCallback(BaseCallback):
    """Saves the model every ``save_freq`` generations.

    Args:
        save_freq: generations between checkpoints (counted on the model, so a resumed run
            keeps the same schedule).
        save_path: the folder for the checkpoints, named
            ``{name_prefix}_{generation}_generations``.
        name_prefix: the checkpoints' name prefix.
        max_to_keep: keep only the newest this many of the checkpoints this callback
            writes (None: keep all). Checkpoints already in ``save_path`` are never removed,
            and a save_path holding checkpoints beyond the model's generation is refused.
        resume: continue in a ``save_path`` that another run (a finished one: never one
            still training) owns, e.g. after loading its latest checkpoint. Without it such
            a folder is refused with an error naming that run.
        verbose: 1 prints each save.

    Raises:
        evotrain.persistence.run_folder.RunFolderInUseError: (at ``learn``) ``save_path``
            belongs to another run, as above.
    """

    def __init__(
        self,
        save_freq: int,
        save_path: str,
        name_prefix: str = "evotrain_model",
        max_to_keep: int | None = None,
        resume: bool = False,
        verbose: int = 0,
    ) -> None:
        super().__init__(verbose)
        self.save_freq = positive_int("save_freq", save_freq)
        self.save_path = os.fspath(save_path)
        if not name_prefix or os.sep in name_prefix or name_prefix.startswith("."):
            raise ValueError(
                f"name_prefix must be a plain, non-hidden file name; got {name_prefix!r}."
            )
        self.name_prefix = name_prefix
        if max_to_keep is not None:
            max_to_keep = positive_int("max_to_keep", max_to_keep)
        self.max_to_keep = max_to_keep
        self.resume = bool(resume)
        self._lock = None

    def _init_callback(self) -> None:
        if os.path.exists(self.save_path) and not os.path.isdir(self.save_path):
            raise FileExistsError(f"CheckpointCallback: save_path {self.save_path} is a file.")
        refused = None
        if is_main_process():
            try:
                self._lock = claim(
                    self.save_path,
                    self.model.run_id,
                    type(self.model).__name__,
                    self.resume,
                    "CheckpointCallback",
                    check=self._refuse_later_checkpoints,
                )
            except (RunFolderInUseError, FileExistsError) as err:
                refused = err
        if distributed.broadcast_int(int(refused is not None)):
            raise refused or RunFolderInUseError(
                f"CheckpointCallback: process 0 refused {self.save_path}; its error says why."
            )
        self._written: list[str] = []

    def _refuse_later_checkpoints(self) -> None:
        later = [
            g
            for g, _ in _checkpoints(self.save_path, self.name_prefix)
            if g > self.model.num_generations
        ]
        if later:
            raise FileExistsError(
                f"CheckpointCallback: {self.save_path} already holds checkpoints up to generation "
                f"{max(later)}, beyond this model's {self.model.num_generations}, which this run "
                "would overwrite. Choose another save_path or name_prefix, or resume from "
                "latest_checkpoint()."
            )

    def _on_training_end(self) -> None:
        if self._lock is not None:  # the folder stays this run's; another may resume into it
            self._lock.close()
            self._lock = None

    def checkpoint_path(self, generation: int) -> str:
        return os.path.join(self.save_path, f"{self.name_prefix}_{generation}_generations")

    def generations_until_read(self) -> int | None:
        """The next generation that is a multiple of ``save_freq`` (it saves then)."""
        return self.save_freq - self.model.num_generations % self.save_freq

    def _on_generation_end(self) -> bool:
        if self.num_generations % self.save_freq == 0:
            # Never overwrite: a checkpoint that exists was written by this folder's run.
            path = self.model.save(self.checkpoint_path(self.num_generations))
            self._written.append(path)
            distributed.note_checkpoint(path, type(self.model).__name__)
            if self.verbose >= 1:
                print_main(f"Saved checkpoint {path}")
            if self.max_to_keep is not None:
                # Only checkpoints this callback wrote are removed.
                while len(self._written) > self.max_to_keep:
                    old = self._written.pop(0)
                    if is_main_process():
                        shutil.rmtree(old, ignore_errors=True)
        return True


__all__ = ["CheckpointCallback", "latest_checkpoint"]
