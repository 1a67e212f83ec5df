"""Importing evotrain and making a Brax env print nothing of third parties' own."""

from __future__ import annotations

import subprocess
import sys
import warnings

from evotrain.runtime.quiet import quiet_brax


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)


def test_import_evotrain_prints_nothing():
    out = _run("import evotrain")
    assert out.returncode == 0 and out.stdout == "" and out.stderr == ""


def test_a_brax_env_comes_without_warp_lines_or_the_maintenance_warning():
    out = _run(
        "import warnings; warnings.simplefilter('always')\n"
        "from evotrain.envs import make_env\n"
        "env = make_env('brax:hopper')\n"
        "print('obs', env.spec.obs_size)\n"
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout == "obs 11\n"
    assert "warp" not in out.stderr and "not actively being maintained" not in out.stderr


def test_other_output_and_warnings_go_through(capsys):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with quiet_brax():
            print("Failed to import warp: No module named 'warp'")
            print("a line of the user's")
            warnings.warn("a real warning", UserWarning, stacklevel=1)
            warnings.warn(
                "Brax System, piplines and environments are not actively being maintained.",
                UserWarning,
                stacklevel=1,
            )
    assert capsys.readouterr().out == "a line of the user's\n"
    assert [str(w.message) for w in caught] == ["a real warning"]


def test_zoo_list_prints_only_its_table():
    out = subprocess.run(
        [sys.executable, "-m", "evotrain", "zoo", "list"], capture_output=True, text=True
    )
    assert out.returncode == 0 and out.stderr == ""
    assert out.stdout.splitlines()[0].split()[:2] == ["id", "env"]
