"""SB3-style key-value logger: ``record`` values during a generation, ``dump`` them once.

>>> from evotrain.logging import configure
>>> logger = configure("runs/exp1", ["stdout", "csv", "tensorboard"])
>>> model.set_logger(logger)
"""

from __future__ import annotations

import datetime
import os
import re
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from evotrain.distributed import is_main_process
from evotrain.logging.writers import (
    CSVOutputFormat,
    HumanOutputFormat,
    JSONOutputFormat,
    KVWriter,
    TensorBoardOutputFormat,
    WandbOutputFormat,
)

FORMATS = ("stdout", "csv", "json", "tensorboard", "wandb")


class Logger:
    """Collects values and hands them to every output format at each :meth:`dump`.

    In a multi-process run (:mod:`evotrain.distributed`) only process 0 writes: the other
    processes' loggers built by :func:`configure` or a model have no output formats.

    Args:
        folder: where the file formats write (None for stdout only).
        output_formats: the writers.
    """

    def __init__(self, folder: str | None, output_formats: Sequence[KVWriter]) -> None:
        self.dir = folder
        self.output_formats = list(output_formats)
        self.name_to_value: dict[str, Any] = {}
        self.name_to_excluded: dict[str, tuple[str, ...]] = {}
        self._sums: dict[str, float] = defaultdict(float)
        self._counts: dict[str, int] = defaultdict(int)

    def record(self, key: str, value: Any, exclude: str | Sequence[str] | None = None) -> None:
        """Sets ``key`` for the next dump (the last value recorded wins).

        Args:
            key: a name such as ``"fitness/max"``; the part before ``/`` groups it.
            value: a number, a string, or a NumPy array (a histogram in TensorBoard).
            exclude: format names (``"stdout"``, ``"csv"``, ``"json"``, ``"tensorboard"``,
                ``"wandb"``) that skip this key.
        """
        self.name_to_value[key] = value
        self.name_to_excluded[key] = _as_tuple(exclude)

    def record_mean(self, key: str, value: float, exclude: str | Sequence[str] | None = None):
        """Records the mean of every value given for ``key`` since the last dump."""
        self._sums[key] += float(value)
        self._counts[key] += 1
        self.record(key, self._sums[key] / self._counts[key], exclude)

    def dump(self, step: int = 0) -> None:
        """Writes the recorded values at ``step`` (generations) and clears them."""
        for writer in self.output_formats:
            writer.write(self.name_to_value, self.name_to_excluded, step)
        self.name_to_value.clear()
        self.name_to_excluded.clear()
        self._sums.clear()
        self._counts.clear()

    def get_dir(self) -> str | None:
        return self.dir

    def flush(self) -> None:
        """Makes everything dumped so far visible in the files (``learn`` does this when it
        returns)."""
        for writer in self.output_formats:
            writer.flush()

    def set_config(self, config: dict[str, Any]) -> None:
        """The run's settings, for the formats that record them (W&B's run config)."""
        for writer in self.output_formats:
            writer.set_config(config)

    def set_titles(self, titles: dict[str, str]) -> None:
        """Column titles by log key, for the formats that show them (the stdout table)."""
        for writer in self.output_formats:
            writer.set_titles(titles)

    def log_artifact(self, path: str, name: str, aliases: Sequence[str] = ()) -> None:
        """Stores a saved model's folder where a format keeps files (a W&B artifact)."""
        for writer in self.output_formats:
            writer.log_artifact(path, name, aliases)

    def close(self) -> None:
        for writer in self.output_formats:
            writer.close()


def _as_tuple(exclude: str | Sequence[str] | None) -> tuple[str, ...]:
    if exclude is None:
        return ()
    if isinstance(exclude, str):
        return (exclude,)
    return tuple(exclude)


def make_output_format(fmt: str, folder: str | None) -> KVWriter:
    """One writer by name; file formats need ``folder``."""
    if fmt == "stdout":
        return HumanOutputFormat()
    if fmt not in FORMATS:
        raise ValueError(f"Unknown log format {fmt!r}; choose from {', '.join(FORMATS)}.")
    if folder is None:
        raise ValueError(f"The {fmt!r} log format writes files: give configure() a folder.")
    os.makedirs(folder, exist_ok=True)
    if fmt == "csv":
        return CSVOutputFormat(os.path.join(folder, "progress.csv"))
    if fmt == "json":
        return JSONOutputFormat(os.path.join(folder, "progress.json"))
    if fmt == "wandb":
        return WandbOutputFormat(folder)
    return TensorBoardOutputFormat(folder)


def configure(folder: str | None = None, format_strings: Sequence[str] | None = None) -> Logger:
    """A logger writing ``format_strings`` (default ``stdout``, ``csv``) under ``folder``.

    ``folder`` defaults to ``$EVOTRAIN_LOGDIR``, else a new ``evotrain-<date-time>`` folder
    in the system's temp directory; ``format_strings`` to ``$EVOTRAIN_LOG_FORMAT``
    (comma-separated), else ``stdout,csv``. With ``format_strings=["stdout"]`` no folder is
    created.
    """
    if format_strings is None:
        env = os.environ.get("EVOTRAIN_LOG_FORMAT", "stdout,csv")
        format_strings = [f for f in env.split(",") if f]
    formats = [f.strip() for f in format_strings]
    if folder is None and any(f != "stdout" for f in formats):
        folder = os.environ.get("EVOTRAIN_LOGDIR")
        if folder is None:
            import tempfile

            stamp = datetime.datetime.now().strftime("%Y-%m-%d-%H-%M-%S-%f")
            folder = os.path.join(tempfile.gettempdir(), f"evotrain-{stamp}")
    if not is_main_process():
        return Logger(folder, [])
    return Logger(folder, [make_output_format(f, folder) for f in formats])


def default_logger(
    verbose: int, tensorboard_log: str | None, tb_log_name: str, new_run: bool
) -> Logger:
    """A model's logger unless the user sets one: a stdout table at ``verbose >= 1``, plus
    TensorBoard in ``{tensorboard_log}/{tb_log_name}_{N}`` when ``tensorboard_log`` is set
    (a new N when ``new_run``, else the latest)."""
    writers: list[KVWriter] = []
    folder = None
    if not is_main_process():
        return Logger(folder, writers)
    if verbose >= 1:
        writers.append(make_output_format("stdout", None))
    if tensorboard_log is not None:
        folder = run_folder(tensorboard_log, tb_log_name, new_run)
        writers.append(make_output_format("tensorboard", folder))
    return Logger(folder, writers)


def latest_run_id(log_path: str, log_name: str) -> int:
    """The highest ``N`` of the ``{log_name}_{N}`` folders in ``log_path`` (0 if none)."""
    if not os.path.isdir(log_path):
        return 0
    pattern = re.compile(rf"^{re.escape(log_name)}_(\d+)$")
    ids = [int(m.group(1)) for d in os.listdir(log_path) if (m := pattern.match(d))]
    return max(ids, default=0)


def run_folder(log_path: str, log_name: str, new_run: bool) -> str:
    """``{log_path}/{log_name}_{N}``: the next free N for a new run, else the latest run."""
    latest = latest_run_id(log_path, log_name)
    run = latest + 1 if new_run or latest == 0 else latest
    return os.path.join(log_path, f"{log_name}_{run}")


__all__ = [
    "FORMATS",
    "Logger",
    "configure",
    "latest_run_id",
    "make_output_format",
    "run_folder",
]
