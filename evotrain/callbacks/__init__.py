"""SB3-style callbacks at generation boundaries (see :mod:`evotrain.callbacks.base`).

Names are imported when first used, so reading a recorded run
(:func:`read_topology`) does not load JAX.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from evotrain.runtime.lazy import lazy_exports

_EXPORTS = {
    "BaseCallback": "evotrain.callbacks.base",
    "CallbackList": "evotrain.callbacks.base",
    "ConvertCallback": "evotrain.callbacks.base",
    "EventCallback": "evotrain.callbacks.base",
    "EveryNGenerations": "evotrain.callbacks.base",
    "RecordArchive": "evotrain.callbacks.archive",
    "read_archive_records": "evotrain.callbacks.archive_file",
    "CheckpointCallback": "evotrain.callbacks.checkpoint",
    "latest_checkpoint": "evotrain.callbacks.checkpoint",
    "EvalCallback": "evotrain.callbacks.eval",
    "MaybeCallback": "evotrain.callbacks.make",
    "make_callback": "evotrain.callbacks.make",
    "ProgressBarCallback": "evotrain.callbacks.progress",
    "StopTrainingOnFitnessThreshold": "evotrain.callbacks.stop",
    "StopTrainingOnNoImprovement": "evotrain.callbacks.stop",
    "RecordTopology": "evotrain.callbacks.topology",
    "read_topology": "evotrain.callbacks.topology_file",
}

if TYPE_CHECKING:
    from evotrain.callbacks.archive import RecordArchive
    from evotrain.callbacks.archive_file import read_archive_records
    from evotrain.callbacks.base import (
        BaseCallback,
        CallbackList,
        ConvertCallback,
        EventCallback,
        EveryNGenerations,
    )
    from evotrain.callbacks.checkpoint import CheckpointCallback, latest_checkpoint
    from evotrain.callbacks.eval import EvalCallback
    from evotrain.callbacks.make import MaybeCallback, make_callback
    from evotrain.callbacks.progress import ProgressBarCallback
    from evotrain.callbacks.stop import StopTrainingOnFitnessThreshold, StopTrainingOnNoImprovement
    from evotrain.callbacks.topology import RecordTopology
    from evotrain.callbacks.topology_file import read_topology

__all__ = [
    "BaseCallback",
    "CallbackList",
    "CheckpointCallback",
    "ConvertCallback",
    "EvalCallback",
    "EventCallback",
    "EveryNGenerations",
    "MaybeCallback",
    "ProgressBarCallback",
    "RecordArchive",
    "RecordTopology",
    "StopTrainingOnFitnessThreshold",
    "StopTrainingOnNoImprovement",
    "latest_checkpoint",
    "make_callback",
    "read_archive_records",
    "read_topology",
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
