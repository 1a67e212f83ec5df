"""The training state and the one generation step where strategies meet evaluation."""

from evotrain.training.state import TrainState, init_train_state
from evotrain.training.step import HostGenerationStep, fitness_stats, make_generation_step

__all__ = [
    "HostGenerationStep",
    "TrainState",
    "fitness_stats",
    "init_train_state",
    "make_generation_step",
]
