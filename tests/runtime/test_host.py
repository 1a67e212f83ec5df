"""The CPU model and the per-model compilation cache folder."""

from __future__ import annotations

import jax
import pytest

from evotrain import cli, zoo
from evotrain.runtime import host


@pytest.fixture
def restore_cache_dir():
    before = jax.config.jax_compilation_cache_dir
    yield
    jax.config.update("jax_compilation_cache_dir", before)


def test_cpu_slug_is_a_folder_name():
    assert host.cpu_slug("GenuineIntel family 6 model 207 stepping 2") == (
        "GenuineIntel-family-6-model-207-stepping-2"
    )
    assert host.cpu_slug(" ARM/x (v8) ") == "ARM-x-v8"
    assert host.cpu_slug() == host.cpu_slug(host.host_cpu()) != ""
    assert zoo.host_cpu() == host.host_cpu()  # the zoo records the same model


def test_host_cache_dir_adds_the_model_once(tmp_path):
    folder = host.host_cache_dir(tmp_path)
    assert folder == tmp_path / host.cpu_slug()
    assert host.host_cache_dir(folder) == folder  # handing it on does not nest it


def test_use_compilation_cache_sets_the_model_folder(tmp_path, monkeypatch, restore_cache_dir):
    monkeypatch.delenv(host.CACHE_ENV, raising=False)
    before = jax.config.jax_compilation_cache_dir
    assert host.use_compilation_cache() is None
    assert jax.config.jax_compilation_cache_dir == before
    got = host.use_compilation_cache(tmp_path / "jax")
    assert got == tmp_path / "jax" / host.cpu_slug()
    assert jax.config.jax_compilation_cache_dir == str(got)


def test_the_cli_splits_the_environment_cache_per_cpu(
    tmp_path, monkeypatch, capsys, restore_cache_dir
):
    """A command that compiles (here ``eval``, stopping at its missing model) sets the cache
    up before it runs; ``zoo list`` compiles nothing and leaves JAX unloaded
    (tests/cli/test_cli_startup.py)."""
    monkeypatch.setenv(host.CACHE_ENV, str(tmp_path))
    assert cli.main(["eval", str(tmp_path / "no-model")]) == 2
    assert jax.config.jax_compilation_cache_dir == str(tmp_path / host.cpu_slug())
    assert "No saved model at" in capsys.readouterr().err
