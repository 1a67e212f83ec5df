"""SB3-style callbacks at generation boundaries (see :mod:`evotrain.callbacks.base`)."""

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
from evotrain.callbacks.topology import RecordTopology, read_topology

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
    "RecordTopology",
    "StopTrainingOnFitnessThreshold",
    "StopTrainingOnNoImprovement",
    "latest_checkpoint",
    "make_callback",
    "read_topology",
]
