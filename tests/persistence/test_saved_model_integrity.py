"""Saved models are tamper-evident: every changed, missing or added byte is refused with a
CheckpointError before the model is built, and format 1 saves load with a warning."""

from __future__ import annotations

import json
import os
import shutil
import warnings

import numpy as np
import pytest

from evotrain import NEAT, OpenES, zoo
from evotrain.persistence.checkpoint import (
    CheckpointError,
    UnverifiedCheckpointWarning,
    read_metadata,
)
from evotrain.persistence.integrity import seal_json

MAKERS = {
    "OpenES": lambda: OpenES(
        "MlpPolicy", "gymnax:CartPole-v1", pop_size=8, seed=0, policy_kwargs={"net_arch": [4]}
    ),
    "NEAT": lambda: NEAT("FeedForward", "xor", pop_size=16, max_nodes=8, max_conns=12, seed=0),
}
OBS = {"OpenES": (16, 4), "NEAT": (16, 2)}


@pytest.fixture(scope="module", params=list(MAKERS))
def saved(request, tmp_path_factory):
    """``(name, model, path)`` of a model learned for 2 generations and saved."""
    model = MAKERS[request.param]().learn(2)
    path = model.save(tmp_path_factory.mktemp(request.param) / "model")
    return request.param, model, path


def _fresh(path, tmp_path, name="copy"):
    dst = tmp_path / name
    shutil.rmtree(dst, ignore_errors=True)
    shutil.copytree(path, dst)
    return dst


def _files(folder):
    return sorted(
        os.path.relpath(os.path.join(root, f), folder).replace(os.sep, "/")
        for root, _, files in os.walk(folder)
        for f in files
    )


def _same_actions(a, b, name):
    obs = np.random.default_rng(0).normal(size=OBS[name]).astype(np.float32)
    np.testing.assert_array_equal(a.predict(obs)[0], b.predict(obs)[0])


def _refuse_construction(monkeypatch, cls):
    def constructed(self, *args, **kwargs):
        raise AssertionError("a refused save must not build the model")

    monkeypatch.setattr(cls, "__init__", constructed)


def test_every_flipped_byte_of_every_file_is_refused(saved, tmp_path, monkeypatch):
    name, model, path = saved
    cls = type(model)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnverifiedCheckpointWarning)
        _same_actions(cls.load(_fresh(path, tmp_path)), model, name)
    files = _files(path)
    assert "evotrain.json" in files and "history.json" in files
    assert sum(f.startswith("state/") for f in files) >= 5
    _refuse_construction(monkeypatch, cls)
    tried = 0
    for rel in files:
        size = os.path.getsize(os.path.join(path, rel))
        assert size > 0, rel
        for pos in sorted({0, size // 2, size - 1}):
            for flip in (lambda b: b ^ 0xFF, lambda b: (b + 1) % 256):
                copy = _fresh(path, tmp_path)
                data = bytearray((copy / rel).read_bytes())
                data[pos] = flip(data[pos])
                (copy / rel).write_bytes(bytes(data))
                with pytest.raises(CheckpointError) as err:
                    cls.load(copy)
                assert rel in str(err.value), (rel, pos, str(err.value))
                tried += 1
    assert tried >= 6 * len(files) - 6


def test_missing_and_added_files_are_refused_by_name(saved, tmp_path):
    name, model, path = saved
    cls = type(model)
    state_file = next(f for f in _files(path) if f.startswith("state/") and "/d/" in f)
    cases = [
        ("history.json", None, "missing \\(recorded at save time\\): history.json"),
        (state_file, None, f"missing \\(recorded at save time\\): {state_file}"),
        ("state/stray.bin", b"\0", "not written by save \\(remove it\\): state/stray.bin"),
        ("notes.txt", b"hello", "not written by save \\(remove it\\): notes.txt"),
    ]
    for rel, content, message in cases:
        copy = _fresh(path, tmp_path)
        if content is None:
            (copy / rel).unlink()
        else:
            (copy / rel).write_bytes(content)
        with pytest.raises(CheckpointError, match=message):
            cls.load(copy)
        with pytest.raises(CheckpointError, match=message):
            read_metadata(copy)
    copy = _fresh(path, tmp_path)
    (copy / "evotrain.json").unlink()
    with pytest.raises(CheckpointError, match="not a saved evotrain model"):
        cls.load(copy)


def test_metadata_that_is_not_utf8_or_not_json_is_refused(saved, tmp_path):
    _, model, path = saved
    copy = _fresh(path, tmp_path)
    raw = (copy / "evotrain.json").read_bytes()
    (copy / "evotrain.json").write_bytes(raw[:10] + b"\xc3\x28" + raw[12:])
    with pytest.raises(CheckpointError, match="evotrain.json is corrupted: it is not UTF-8"):
        type(model).load(copy)
    (copy / "evotrain.json").write_bytes(raw[:-5])
    with pytest.raises(CheckpointError, match="evotrain.json is corrupted: it is not valid JSON"):
        type(model).load(copy)
    (copy / "evotrain.json").write_bytes(raw + b" " * (1 << 20))
    with pytest.raises(CheckpointError, match="larger than"):
        type(model).load(copy)


def _as_format_1(folder):
    """Rewrites a fresh save's evotrain.json to the shape evotrain wrote before hashes."""
    meta = json.loads((folder / "evotrain.json").read_bytes())
    for field in ("files", "sha256"):
        del meta[field]
    meta["format_version"] = 1
    (folder / "evotrain.json").write_text(json.dumps(meta, indent=2))
    return meta


def test_format_1_saves_load_with_a_warning_and_resave_adds_hashes(saved, tmp_path):
    name, model, path = saved
    cls = type(model)
    old = _fresh(path, tmp_path, "old")
    _as_format_1(old)
    with pytest.warns(UnverifiedCheckpointWarning, match="no sha256 hashes.*Re-save it") as rec:
        loaded = cls.load(old)
    assert issubclass(UnverifiedCheckpointWarning, UserWarning)
    assert rec[0].filename == __file__  # points at the caller of load
    _same_actions(loaded, model, name)
    assert loaded.num_generations == model.num_generations
    resaved = loaded.save(old, overwrite=True)
    assert read_metadata(resaved)["format_version"] == 2
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _same_actions(cls.load(resaved), model, name)
    assert not [w for w in caught if issubclass(w.category, UnverifiedCheckpointWarning)]


def test_a_sealed_file_claiming_format_1_is_still_checked(saved, tmp_path):
    _, model, path = saved
    copy = _fresh(path, tmp_path)
    raw = (copy / "evotrain.json").read_bytes()
    (copy / "evotrain.json").write_bytes(
        raw.replace(b'"format_version": 2', b'"format_version": 1')
    )
    with pytest.raises(CheckpointError, match="does not match the sha256 it records"):
        type(model).load(copy)


BAD_FIELDS = [
    (lambda m: m.update(num_generations=-1), "num_generations must be an integer from 0"),
    (lambda m: m.update(num_generations="3"), "num_generations must be an integer"),
    (lambda m: m.update(num_timesteps=1.5), "num_timesteps must be an integer"),
    (lambda m: m.update(kwargs=[1, 2]), "kwargs must be an object"),
    (lambda m: m.update(policy=5), "policy must be a text"),
    (lambda m: m.update(algorithm="import os"), "algorithm must be a class name"),
    (lambda m: m.update(env_spec=None), "env_spec must be an object"),
    (lambda m: m["env_spec"].update(obs_size=0), "env_spec.obs_size must be an integer from 1"),
    (lambda m: m["env_spec"].update(obs_size=True), "env_spec.obs_size must be an integer"),
    (lambda m: m["env_spec"].update(num_outputs=10**9), "env_spec.num_outputs must be an"),
    (lambda m: m.update(kwargs_required_at_load="optimizer"), "kwargs_required_at_load must"),
    (lambda m: m["kwargs"].update(pop_size=10**12), "kwargs.pop_size must be an integer"),
    (lambda m: m["kwargs"].update(pop_size=None), "kwargs.pop_size must be an integer"),
    (
        lambda m: m["kwargs"].update(max_conns=10**9),
        "kwargs.max_conns (must be an integer|is not a setting of OpenES)",
    ),
    (
        lambda m: m["kwargs"].update(policy_kwargs={"net_arch": [10**9]}),
        "each kwargs.policy_kwargs.net_arch size must",
    ),
    (
        lambda m: m["kwargs"].update(policy_kwargs={"net_arch": 4}),
        "kwargs.policy_kwargs.net_arch must be a list",
    ),
    (
        lambda m: m["kwargs"].update(
            pop_size=1 << 20, max_conns=1 << 20, policy_kwargs={"net_arch": [4096]}
        ),
        "pop_size times the size of one individual .* above the bound",
    ),
]


@pytest.mark.parametrize("change, message", BAD_FIELDS)
@pytest.mark.parametrize("version", [1, 2])
def test_wrong_types_and_absurd_sizes_are_refused_before_building(
    saved, tmp_path, monkeypatch, change, message, version
):
    _, model, path = saved
    copy = _fresh(path, tmp_path)
    meta = json.loads((copy / "evotrain.json").read_bytes())
    if version == 1:
        meta = _as_format_1(copy)
    change(meta)
    # Format 2 resealed: the field checks hold even where the seal is intact.
    raw = json.dumps(meta, indent=2).encode() if version == 1 else seal_json(meta)
    (copy / "evotrain.json").write_bytes(raw)
    _refuse_construction(monkeypatch, type(model))
    with pytest.raises(CheckpointError, match=f"evotrain.json is invalid: {message}"):
        type(model).load(copy)


@pytest.mark.parametrize(
    "files, message",
    [
        ({"../outside": "0" * 64}, "not a plain relative path"),
        ({"/etc/passwd": "0" * 64}, "not a plain relative path"),
        ({"history.json": "abc"}, "must be a 64-digit lowercase hex sha256"),
        ({}, "files must be a non-empty object"),
        ({"history.json": "0" * 64}, "files must list history.json and the files of state/"),
    ],
)
def test_recorded_file_hashes_must_be_safe_paths_and_hex(saved, tmp_path, files, message):
    _, model, path = saved
    copy = _fresh(path, tmp_path)
    meta = json.loads((copy / "evotrain.json").read_bytes())
    (copy / "evotrain.json").write_bytes(seal_json({**meta, "files": files}))
    with pytest.raises(CheckpointError, match=message):
        type(model).load(copy)


def test_zoo_agents_are_format_1_and_load_without_the_warning_when_checked():
    agent = zoo.get("openes-gymnax-CartPole-v1")
    before = {**zoo.file_hashes(agent.path)}
    assert read_metadata(agent.path / zoo.MODEL_DIR)["format_version"] == 1
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = zoo.load(agent.id)
    assert not [w for w in caught if issubclass(w.category, UnverifiedCheckpointWarning)]
    with pytest.warns(UnverifiedCheckpointWarning):
        unchecked = zoo.load(agent.id, check=False)
    _same_actions(model, unchecked, "OpenES")
    assert zoo.file_hashes(agent.path) == before
    zoo.verify(agent)
