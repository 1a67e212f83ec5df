"""A saved model whose evotrain.json was edited and re-sealed (the seal catches corruption,
not intent) loads only when every array the settings imply is the array saved: each field
of the metadata is walked, changed, re-sealed, and the load either refuses with a
CheckpointError or gives a model that acts."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from evotrain import NEAT, OpenES
from evotrain.persistence.checkpoint import CheckpointError
from evotrain.persistence.integrity import SEAL_FIELD, seal_json

SKIP = {"format", "format_version", "files", SEAL_FIELD, "created", "versions"}
"""Fields checked elsewhere (format, version and hashes: test_saved_model_integrity) or
that describe the save and set nothing (its time and versions)."""


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    root = tmp_path_factory.mktemp("walk")
    openes = OpenES(
        "MlpPolicy", "gymnax:CartPole-v1", seed=1, pop_size=8, policy_kwargs={"net_arch": [8]}
    ).learn(1)
    neat = NEAT("FeedForward", "xor", seed=1, pop_size=8, max_nodes=10, max_conns=20).learn(1)
    return {
        OpenES: Path(openes.save(root / "openes")),
        NEAT: Path(neat.save(root / "neat")),
    }


def _fields(value, path=()):
    """Every leaf of the metadata document, as (path, value)."""
    if isinstance(value, dict):
        for k, v in value.items():
            if not path and k in SKIP:
                continue
            yield from _fields(v, (*path, k))
    elif isinstance(value, list) and value and not isinstance(value[0], (dict, list)):
        yield path, value
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _fields(v, (*path, i))
    else:
        yield path, value


def _changes(value):
    """Values that disagree with ``value``: sizes one more and doubled, floats doubled and
    non-finite, texts altered, flags flipped, lists grown."""
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):
        return [value + 1, value * 2 + 1]
    if isinstance(value, float):
        return [value * 2 + 1.0, math.inf, math.nan]
    if isinstance(value, str):
        return [value + "x"]
    if isinstance(value, list):
        return [value + value[-1:], []]
    return [1]  # null


def _resealed(src, tmp_path, path, new):
    dst = tmp_path / "edited"
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst)
    meta = json.loads((dst / "evotrain.json").read_text())
    meta.pop(SEAL_FIELD)
    node = meta
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = new
    (dst / "evotrain.json").write_bytes(seal_json(meta))
    return dst


@pytest.mark.parametrize("cls", [OpenES, NEAT], ids=["OpenES", "NEAT"])
def test_every_field_changed_and_resealed_is_refused_or_loads_a_model_that_acts(
    cls, saved, tmp_path
):
    src = saved[cls]
    meta = json.loads((src / "evotrain.json").read_text())
    fields = list(_fields(meta))
    assert len(fields) > (8 if cls is OpenES else 60)  # the walk reaches every setting
    refused = loaded = 0
    for path, value in fields:
        for new in _changes(value):
            edited = _resealed(src, tmp_path, path, new)
            try:
                model = cls.load(edited)
            except CheckpointError:
                refused += 1
                continue
            except Exception as err:  # noqa: BLE001 - anything else is the failure under test
                pytest.fail(f"{'.'.join(map(str, path))} = {new!r}: {type(err).__name__}: {err}")
            loaded += 1
            # Loaded: the settings agree with the arrays, so the model acts, finitely.
            spec = model.get_env().spec
            action, _ = model.predict(np.zeros(spec.obs_size, np.float32))
            assert np.all(np.isfinite(np.asarray(action, np.float64))), path
            for leaf in (model.train_state.best_fitness, model.train_state.generation):
                assert np.isfinite(np.asarray(leaf)).all()
            if isinstance(new, float):
                assert math.isfinite(new), f"{path} = {new} loaded"
    assert refused and loaded


def test_sizes_that_disagree_with_the_arrays_are_named_with_both_shapes(saved, tmp_path):
    edited = _resealed(saved[OpenES], tmp_path, ("kwargs", "policy_kwargs", "net_arch"), [9])
    with pytest.raises(
        CheckpointError,
        match=r"array train_state\.best_params is saved as float32\[58\] but .* make it "
        r"float32\[65\]",
    ):
        OpenES.load(edited)
    edited = _resealed(saved[NEAT], tmp_path, ("kwargs", "max_nodes"), 11)
    with pytest.raises(CheckpointError, match=r"saved as float32\[10, 5\] .* float32\[11, 5\]"):
        NEAT.load(edited)
    edited = _resealed(saved[OpenES], tmp_path, ("kwargs", "learning_rate"), math.inf)
    with pytest.raises(CheckpointError, match="learning_rate must be a finite number"):
        OpenES.load(edited)
    for steps in (10**12, -5):
        edited = _resealed(saved[OpenES], tmp_path, ("kwargs", "env_kwargs"), {"max_steps": steps})
        with pytest.raises(CheckpointError, match="max_steps.* must be an integer from 1 to"):
            OpenES.load(edited)


HUGE_CHILD = """
import resource, sys
from evotrain import OpenES
from evotrain.persistence.checkpoint import CheckpointError
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    OpenES.load(sys.argv[1])
except CheckpointError as err:
    print("REFUSED", err)
print("GROWTH_KIB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
"""


def test_a_claimed_huge_network_is_refused_without_allocating_it(saved, tmp_path):
    # [8192, 8192] hidden units over pop 8: 67 M parameters per individual, 2.1 GB for the
    # population in float32, plus the optimizer's two moments: nothing of it is allocated.
    edited = _resealed(
        saved[OpenES], tmp_path, ("kwargs", "policy_kwargs", "net_arch"), [8192, 8192]
    )
    out = subprocess.run(
        [sys.executable, "-c", HUGE_CHILD, str(edited)], capture_output=True, text=True, check=True
    ).stdout
    assert "REFUSED" in out and "float32[67174402]" in out, out
    growth_mib = int(out.rsplit("GROWTH_KIB", 1)[1]) / 1024
    assert growth_mib < 256, f"the refused load grew the process by {growth_mib:.0f} MiB"
