"""The README's Python examples run as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.test_examples import run_python

README = Path(__file__).parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)


def test_the_readme_has_python_examples():
    assert len(BLOCKS) >= 3


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_example_runs(index, tmp_path):
    # Full size, compiled as on a user's machine: XLA's defaults run these dense programs
    # faster than the unit phase's -O0 (README's OpenES block: 14 s against 21 s).
    run_python(["-c", BLOCKS[index]], tmp_path, XLA_FLAGS="")
