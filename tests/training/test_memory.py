import re

import numpy as np
import pytest

from evotrain import OpenES
from evotrain.envs import FunctionFit
from evotrain.training import memory
from evotrain.training.memory import (
    HEADROOM,
    PopulationTooLargeError,
    available_memory_bytes,
    step_bytes,
)

# Many samples: evaluating the population, not the strategy, dominates memory here.
_X = np.random.default_rng(0).normal(size=(20_000, 4)).astype(np.float32)
PROBLEM = FunctionFit(_X, _X.sum(axis=1), name="sum")


def _model(**kwargs):
    return OpenES("MlpPolicy", PROBLEM, pop_size=64, seed=0, **kwargs)


def test_available_memory_is_known_on_this_host():
    free = available_memory_bytes()
    assert free is not None and free > 0


def test_too_large_population_names_a_pop_batch_size_that_fits(monkeypatch):
    probe = _model()
    need = step_bytes(probe._step.lower(probe.train_state).compile())
    free = int(need / HEADROOM * 0.5)
    monkeypatch.setattr(memory, "available_memory_bytes", lambda: free)

    with pytest.raises(PopulationTooLargeError, match=r"pop_size=64") as err:
        _model().learn(1)
    suggested = int(re.search(r"pass pop_batch_size=(\d+)", str(err.value)).group(1))
    assert 1 <= suggested < 64 and 64 % suggested == 0
    model = _model(pop_batch_size=suggested).learn(2)  # the advice fits the same budget
    assert model.num_generations == 2


def test_when_chunks_cannot_help_it_says_so(monkeypatch):
    monkeypatch.setattr(memory, "available_memory_bytes", lambda: 1)
    with pytest.raises(PopulationTooLargeError, match="population itself is too large"):
        _model().learn(1)
