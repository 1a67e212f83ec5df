"""Output formats of :class:`~evotrain.logging.Logger`: stdout table, CSV, JSON lines,
TensorBoard, Weights & Biases.

Every writer takes one dump at a time: ``write(values, excluded, step)``, where
``values`` maps keys to Python scalars, strings or NumPy arrays and ``excluded`` maps a
key to the format names that must skip it. Arrays are histograms: only TensorBoard
writes them.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

import numpy as np

from evotrain.logging.metrics import titles

Values = Mapping[str, Any]
Excluded = Mapping[str, tuple[str, ...]]


class KVWriter:
    """Base class of output formats; ``name`` is what ``record(..., exclude=...)`` names."""

    name = ""

    def write(self, values: Values, excluded: Excluded, step: int) -> None:
        raise NotImplementedError

    def flush(self) -> None:
        """Makes everything written so far visible to readers."""

    def set_config(self, config: Mapping[str, Any]) -> None:
        """Receives the run's settings (only W&B records them)."""

    def set_titles(self, titles: Mapping[str, str]) -> None:
        """Receives column titles by log key (only the stdout table shows them)."""

    def log_artifact(self, path: str, name: str, aliases: Sequence[str] = ()) -> None:
        """Receives a saved model's folder (only W&B stores it, as an artifact)."""

    def close(self) -> None:
        self.flush()

    def _kept(self, values: Values, excluded: Excluded, arrays: bool = False) -> dict[str, Any]:
        return {
            k: v
            for k, v in values.items()
            if self.name not in excluded.get(k, ()) and (arrays or np.ndim(v) == 0)
        }


def _scalar(value: Any) -> Any:
    """A JSON/CSV-friendly Python scalar (non-finite floats kept as floats)."""
    if isinstance(value, (np.generic, np.ndarray)):
        value = value.item()
    return value


TITLES = titles()
"""Column titles of the generic keys in the stdout table (an algorithm adds its own with
:meth:`KVWriter.set_titles`; other keys use the key's last part)."""


class HumanOutputFormat(KVWriter):
    """One table row per dump, with a header whenever the columns change.

    Args:
        file: where to print (default ``sys.stdout``, looked up at each write so that
            captured output works).
        titles: column titles by key (default :data:`TITLES`).
    """

    name = "stdout"

    def __init__(self, file: TextIO | None = None, titles: Mapping[str, str] | None = None):
        self._file = file
        self._titles = dict(TITLES if titles is None else titles)
        self._columns: tuple[str, ...] = ()

    def set_titles(self, titles: Mapping[str, str]) -> None:
        self._titles.update(titles)

    def _title(self, key: str) -> str:
        return self._titles.get(key, key.rsplit("/", 1)[-1])

    def write(self, values: Values, excluded: Excluded, step: int) -> None:
        kept = self._kept(values, excluded)
        if not kept:
            return
        out = self._file or sys.stdout
        columns = tuple(kept)
        widths = [max(len(self._title(k)), 9) for k in columns]
        if columns != self._columns:
            self._columns = columns
            header = " | ".join(f"{self._title(k):>{w}}" for k, w in zip(columns, widths))
            print(header, file=out)
            print("-" * len(header), file=out)
        cells = [_cell(_scalar(kept[k]), w) for k, w in zip(columns, widths)]
        print(" | ".join(cells), file=out, flush=True)


def _cell(value: Any, width: int) -> str:
    if isinstance(value, bool) or isinstance(value, str):
        return f"{value!s:>{width}}"
    if isinstance(value, int):
        return f"{value:>{width}d}"
    if isinstance(value, float):
        return f"{value:>{width}.4g}"
    return f"{value!s:>{width}}"


class CSVOutputFormat(KVWriter):
    """``progress.csv``: one row per dump; a new key rewrites the file with a wider header
    (earlier rows get empty cells), so every row keeps its values. An existing file is
    continued, never truncated (a resumed run logs to the same folder)."""

    name = "csv"

    def __init__(self, path: str) -> None:
        self.path = path
        self._keys: list[str] = []
        self._rows: list[dict[str, Any]] = []
        if os.path.exists(path) and os.path.getsize(path) > 0:
            with open(path, newline="") as f:
                reader = csv.DictReader(f)
                self._keys = list(reader.fieldnames or [])
                self._rows = list(reader)
        else:
            open(path, "w").close()

    def write(self, values: Values, excluded: Excluded, step: int) -> None:
        row = {k: _scalar(v) for k, v in self._kept(values, excluded).items()}
        new = [k for k in row if k not in self._keys]
        self._rows.append(row)
        if new:
            self._keys.extend(new)
            self._rewrite()
        else:
            with open(self.path, "a", newline="") as f:
                csv.DictWriter(f, self._keys).writerow(row)

    def _rewrite(self) -> None:
        tmp = self.path + ".tmp"
        with open(tmp, "w", newline="") as f:
            writer = csv.DictWriter(f, self._keys)
            writer.writeheader()
            writer.writerows(self._rows)
        os.replace(tmp, self.path)


class JSONOutputFormat(KVWriter):
    """``progress.json``: one JSON object per line and dump (non-finite floats as null);
    an existing file is appended to."""

    name = "json"

    def __init__(self, path: str) -> None:
        self.path = path
        self._file = open(path, "a")

    def write(self, values: Values, excluded: Excluded, step: int) -> None:
        row = {}
        for k, v in self._kept(values, excluded).items():
            v = _scalar(v)
            row[k] = None if isinstance(v, float) and not math.isfinite(v) else v
        self._file.write(json.dumps(row) + "\n")
        self._file.flush()

    def flush(self) -> None:
        self._file.flush()

    def close(self) -> None:
        self._file.close()


_EVENT_FILES = itertools.count(1)


class TensorBoardOutputFormat(KVWriter):
    """TensorBoard event files (tensorboardX): scalars, and histograms for arrays.

    Non-finite values in a histogram are left out of it (a population with no finite
    fitness writes no histogram); strings are skipped. tensorboardX writes from a
    background queue, so :meth:`flush` closes the event file (which drains the queue); the
    next write opens a new one in the same folder, and TensorBoard reads them as one run.
    """

    name = "tensorboard"

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self._writer: Any = None

    def write(self, values: Values, excluded: Excluded, step: int) -> None:
        if self._writer is None:
            from tensorboardX import SummaryWriter

            # Event files are named by the second they open in: a suffix keeps a file
            # opened in the same second from truncating the last one.
            suffix = f".{os.getpid()}.{next(_EVENT_FILES)}"
            self._writer = SummaryWriter(logdir=self.folder, flush_secs=10, filename_suffix=suffix)
        for key, value in self._kept(values, excluded, arrays=True).items():
            if isinstance(value, str):
                continue
            if np.ndim(value) == 0:
                self._writer.add_scalar(key, float(value), step)
                continue
            finite = np.asarray(value, np.float64).ravel()
            finite = finite[np.isfinite(finite)]
            if finite.size:
                self._writer.add_histogram(key, finite, step)

    def flush(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None


def _wandb_credentials() -> bool:
    """Whether W&B has an API key here (environment or ``~/.netrc``)."""
    if os.environ.get("WANDB_API_KEY"):
        return True
    try:
        import netrc

        return netrc.netrc().authenticators("api.wandb.ai") is not None
    except (OSError, netrc.NetrcParseError):
        return False


class WandbOutputFormat(KVWriter):
    """A Weights & Biases run: the run's settings as its config, values per dump at the
    dump's step, arrays as histograms.

    Runs online when W&B has credentials, else offline (``WANDB_MODE=offline``, synced
    later with ``wandb sync``) without asking anything; ``WANDB_MODE`` set by the user
    wins. The run starts at the first dump and ends at :meth:`close`.

    Args:
        folder: where W&B keeps its run folder (``{folder}/wandb/...``).
        project: the W&B project (default ``$WANDB_PROJECT``, else ``"evotrain"``).
        run_name: the run's name (default: W&B's).
        config: settings to record (the model adds its own at ``learn``).
    """

    name = "wandb"

    def __init__(
        self,
        folder: str,
        project: str | None = None,
        run_name: str | None = None,
        config: Mapping[str, Any] | None = None,
    ) -> None:
        self.folder = folder
        self.project = project or os.environ.get("WANDB_PROJECT", "evotrain")
        self.run_name = run_name
        self.config: dict[str, Any] = dict(config or {})
        self.run: Any = None

    def set_config(self, config: Mapping[str, Any]) -> None:
        self.config.update(config)
        if self.run is not None:
            self.run.config.update(dict(config), allow_val_change=True)

    def _start(self) -> None:
        import wandb

        mode = os.environ.get("WANDB_MODE") or ("online" if _wandb_credentials() else "offline")
        os.makedirs(self.folder, exist_ok=True)
        self.run = wandb.init(
            project=self.project,
            name=self.run_name,
            dir=self.folder,
            config=self.config,
            mode=mode,
            reinit="create_new",
            settings=wandb.Settings(console="off", silent=True),
        )

    def write(self, values: Values, excluded: Excluded, step: int) -> None:
        import wandb

        if self.run is None:
            self._start()
        data: dict[str, Any] = {}
        for key, value in self._kept(values, excluded, arrays=True).items():
            if isinstance(value, str):
                continue
            if np.ndim(value) == 0:
                data[key] = _scalar(value)
                continue
            finite = np.asarray(value, np.float64).ravel()
            finite = finite[np.isfinite(finite)]
            if finite.size:
                data[key] = wandb.Histogram(finite)
        self.run.log(data, step=step)

    def log_artifact(self, path: str, name: str, aliases: Sequence[str] = ()) -> None:
        import wandb

        if self.run is None:
            self._start()
        artifact = wandb.Artifact(name, type="model")
        artifact.add_dir(path)
        self.run.log_artifact(artifact, aliases=list(aliases))

    def close(self) -> None:
        if self.run is not None:
            self.run.finish()
            self.run = None


__all__ = [
    "TITLES",
    "CSVOutputFormat",
    "HumanOutputFormat",
    "JSONOutputFormat",
    "KVWriter",
    "TensorBoardOutputFormat",
    "WandbOutputFormat",
]
