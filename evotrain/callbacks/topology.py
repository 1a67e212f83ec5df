"""Recording the best genome of every generation, for drawings of a NEAT run's history.

:class:`RecordTopology` appends one JSON line per generation to ``topology.jsonl`` in the
run folder: the generation, the best fitness so far, and the genome that reached it
(``model.best_ever_genome``, in the format ``model.export_genome`` writes). :func:`evotrain.viz.animate_topology` turns the file
into a GIF or a self-contained HTML page.
"""

from __future__ import annotations

import json
import os

from evotrain.callbacks.base import BaseCallback
from evotrain.callbacks.topology_file import TOPOLOGY_FILE, read_topology
from evotrain.distributed import is_main_process


class RecordTopology(BaseCallback):
    """Appends the best genome so far (``model.best_ever_genome``) after each generation to
    ``<folder>/topology.jsonl``.

    Args:
        folder: the run folder (default: the model's logger folder, e.g. the one
            ``configure(folder, ...)`` or ``tensorboard_log`` made).

    Raises:
        TypeError: at training start, for a model without genomes (not NEAT-family).
        ValueError: at training start, without a folder.
        FileExistsError: at training start, if the file already records generations
            beyond the model's (another run's history; never overwritten).
    """

    def __init__(self, folder: str | os.PathLike[str] | None = None) -> None:
        super().__init__()
        self.folder = None if folder is None else os.fspath(folder)

    @property
    def path(self) -> str:
        return os.path.join(self.folder or "", TOPOLOGY_FILE)

    def _init_callback(self) -> None:
        if not hasattr(self.model, "best_ever_genome"):
            raise TypeError(
                f"RecordTopology records NEAT genomes; {type(self.model).__name__} has none."
            )
        if self.folder is None:
            self.folder = self.model.logger.get_dir()
        if self.folder is None:
            raise ValueError(
                "RecordTopology needs a folder: RecordTopology('runs/xor'), or a logger that "
                "writes to one (model.set_logger(configure('runs/xor', ['csv'])))."
            )
        if os.path.isfile(self.path):
            done = [r["generation"] for r in read_topology(self.path)]
            if done and max(done) > self.model.num_generations:
                raise FileExistsError(
                    f"{self.path} already records generations up to {max(done)}, beyond this "
                    f"model's {self.model.num_generations}: choose another folder."
                )
        if is_main_process():
            os.makedirs(self.folder, exist_ok=True)

    def _on_generation_end(self) -> bool:
        assert self.info is not None
        if is_main_process():
            record = {
                "generation": self.num_generations,
                "best_fitness": float(self.info.best_fitness),
                "genome": self.model.best_ever_genome,
            }
            with open(self.path, "a", encoding="utf-8") as f:
                f.write(json.dumps(record) + "\n")
        return True


__all__ = ["TOPOLOGY_FILE", "RecordTopology", "read_topology"]
