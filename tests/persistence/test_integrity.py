"""evotrain.persistence.integrity: hashes, folder diffs, sealed JSON; standard library only."""

from __future__ import annotations

import ast
import hashlib
import json
import sys
from pathlib import Path

import pytest

import evotrain.persistence as persistence
from evotrain import zoo
from evotrain.persistence import integrity


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / "b.txt").write_bytes(b"bee")
    (tmp_path / "a.txt").write_bytes(b"")
    (tmp_path / "sub" / "deeper" / "c.bin").write_bytes(bytes(range(256)) * 5000)
    (tmp_path / "manifest.json").write_text("{}")
    return tmp_path


def test_sha256_of_is_the_hash_of_the_bytes(folder):
    data = (folder / "sub" / "deeper" / "c.bin").read_bytes()
    assert len(data) > 1 << 20  # read in several blocks
    assert (
        integrity.sha256_of(folder / "sub" / "deeper" / "c.bin") == hashlib.sha256(data).hexdigest()
    )
    assert integrity.sha256_of(folder / "a.txt") == hashlib.sha256(b"").hexdigest()


def test_file_hashes_keys_are_sorted_posix_paths_less_the_excluded(folder):
    hashes = integrity.file_hashes(folder, exclude={"manifest.json"})
    assert list(hashes) == ["a.txt", "b.txt", "sub/deeper/c.bin"]
    assert hashes["b.txt"] == hashlib.sha256(b"bee").hexdigest()
    assert "manifest.json" in integrity.file_hashes(folder)
    assert all(integrity.is_sha256_hex(h) for h in hashes.values())


def test_diff_hashes_names_missing_added_and_changed_files(folder):
    recorded = integrity.file_hashes(folder, exclude={"manifest.json"})
    assert not integrity.diff_hashes(recorded, folder, exclude={"manifest.json"})
    (folder / "b.txt").write_bytes(b"bef")
    (folder / "a.txt").unlink()
    (folder / "sub" / "stray").write_bytes(b"x")
    diff = integrity.diff_hashes(recorded, folder, exclude={"manifest.json"})
    assert diff == integrity.HashDiff(missing=("a.txt",), added=("sub/stray",), changed=("b.txt",))
    assert bool(diff)
    assert diff.describe() == "changed: b.txt; missing: a.txt; not recorded: sub/stray"
    assert diff.describe("not in the manifest").endswith("not in the manifest: sub/stray")
    assert integrity.diff_hashes(recorded, folder).added == ("manifest.json", "sub/stray")


def test_the_zoo_shares_the_integrity_functions():
    assert zoo.sha256_of is integrity.sha256_of and zoo.file_hashes is integrity.file_hashes
    assert persistence.diff_hashes is integrity.diff_hashes


@pytest.mark.parametrize(
    "value, ok",
    [
        ("state/d/abc", True),
        ("history.json", True),
        (".hidden", True),
        ("../evil", False),
        ("state/../../evil", False),
        ("/etc/passwd", False),
        ("state//x", False),
        ("./x", False),
        ("state/", False),
        ("a\\b", False),
        ("", False),
        (3, False),
        (None, False),
    ],
)
def test_safe_relative_paths(value, ok):
    assert integrity.is_safe_relative_path(value) is ok


def test_sha256_hex():
    good = hashlib.sha256(b"x").hexdigest()
    assert integrity.is_sha256_hex(good)
    assert not integrity.is_sha256_hex(good.upper())
    assert not integrity.is_sha256_hex(good[:-1])
    assert not integrity.is_sha256_hex(good + "0")
    assert not integrity.is_sha256_hex(int(good, 16))


def test_sealed_json_refuses_every_change():
    doc = {"format": "x", "n": 3, "f": 0.1, "text": "caf\u00e9", "nested": {"a": [1, None]}}
    raw = integrity.seal_json(doc)
    parsed = json.loads(raw)
    assert list(parsed)[-1] == "sha256" and integrity.seal_problem(raw, parsed) is None
    assert raw == integrity.canonical_json(parsed) and raw.endswith(b"\n") and raw.isascii()
    assert integrity.seal_json(parsed) == raw  # resealing a sealed document changes nothing
    # The same document with other whitespace, or a changed value, is refused.
    loose = json.dumps(parsed).encode()
    assert "canonical" in integrity.seal_problem(loose, json.loads(loose))
    changed = raw.replace(b'"n": 3', b'"n": 4')
    assert "does not match" in integrity.seal_problem(changed, json.loads(changed))
    forged = dict(parsed, sha256="0" * 64)
    assert "does not match" in integrity.seal_problem(integrity.canonical_json(forged), forged)
    unsealed = {k: v for k, v in parsed.items() if k != "sha256"}
    assert "missing" in integrity.seal_problem(integrity.canonical_json(unsealed), unsealed)
    assert "not a JSON object" in integrity.seal_problem(b"[]\n", [])
    # Every single flipped byte that still parses is refused.
    for i in range(len(raw)):
        for flipped in (raw[i] ^ 0xFF, (raw[i] + 1) % 256, raw[i] ^ 0x20):
            bad = raw[:i] + bytes([flipped]) + raw[i + 1 :]
            try:
                bad_doc = json.loads(bad.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                continue
            assert integrity.seal_problem(bad, bad_doc) is not None, (i, flipped)


def test_persistence_imports_only_the_standard_library():
    # checkpoint.py restores arrays (JAX, Orbax); the checks that run before it do not
    # (evotrain.limits, the size bounds, imports only the standard library too).
    package = Path(persistence.__file__).parent
    for source in package.glob("*.py"):
        if source.name == "checkpoint.py":
            continue
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                ours = name.startswith("evotrain.persistence") or name == "evotrain.limits"
                assert top in sys.stdlib_module_names or ours, f"{source.name} imports {name}"
