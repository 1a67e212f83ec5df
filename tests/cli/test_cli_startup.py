"""The command line answers ``--help``, ``zoo list`` and ``zoo show`` without importing JAX
(the commands that train, evaluate or render import it when they run; test_cli_zoo
runs them)."""

from __future__ import annotations

import subprocess
import sys

import pytest

CHILD = """
import sys
from evotrain.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exit_:
    code = exit_.code
print("JAX", "jax" in sys.modules, "CODE", code)
"""


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["train", "--help"],
        ["zoo", "list"],
        ["zoo", "show", "neat-gymnax-CartPole-v1"],
        ["eval", "--help"],
    ],
    ids=" ".join,
)
def test_help_and_the_zoo_listing_do_not_import_jax(argv):
    child = subprocess.run(
        [sys.executable, "-c", CHILD, *argv], capture_output=True, text=True, timeout=120
    )
    assert child.stdout.strip().splitlines()[-1] == "JAX False CODE 0", child.stderr[-2000:]
