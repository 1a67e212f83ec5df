"""Every script in examples/ runs as written, at a tiny size (EVOTRAIN_SMOKE=1)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).parents[1] / "examples"
SCRIPTS = sorted(p.name for p in EXAMPLES.glob("*.py"))
WRITES = {
    "neat_xor.py": ["xor_network.svg", "xor_topology.gif", "xor_topology.html"],
    "quickstart.py": ["cartpole_openes"],
    "es_vs_gradient.py": ["es_vs_gradient.gif"],
    "hyperneat_cppn.py": ["cppn.svg", "substrate.svg", "substrate.json"],
    "zoo_agent.py": ["cartpole.gif"],
    "brax_neat_checkpoints.py": ["runs/pendulum/best_model", "runs/pendulum/checkpoints"],
    "logging_tensorboard_wandb.py": ["runs/logged/progress.csv"],
    "map_elites_mountaincar.py": ["mountaincar_archive.png", "mountaincar_archive.csv"],
}


def test_the_examples_readme_lists_every_script():
    listed = (EXAMPLES / "README.md").read_text()
    assert [s for s in SCRIPTS if f"`{s}`" not in listed] == []


def run_python(args: list[str], cwd: Path, **env: str) -> None:
    """Runs ``python *args`` in ``cwd`` as a user would (no forced devices, ``env`` added)
    and fails with its stderr unless it succeeds. Other XLA flags stay (``make test``'s
    unit phase compiles without LLVM's optimizations: the examples run at smoke size)."""
    flags = " ".join(
        f
        for f in os.environ.get("XLA_FLAGS", "").split()
        if not f.startswith("--xla_force_host_platform_device_count")
    )
    full = {k: v for k, v in os.environ.items() if k != "XLA_FLAGS"}
    if flags:
        full["XLA_FLAGS"] = flags
    full |= env
    out = subprocess.run(
        [sys.executable, *args], cwd=cwd, env=full, capture_output=True, text=True, timeout=600
    )
    assert out.returncode == 0, out.stderr[-3000:]


@pytest.mark.parametrize("script", SCRIPTS)
def test_example_runs(script, tmp_path):
    run_python([str(EXAMPLES / script)], tmp_path, EVOTRAIN_SMOKE="1")
    for name in WRITES.get(script, []):
        assert (tmp_path / name).exists(), name
