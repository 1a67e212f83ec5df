"""How long the ``evotrain`` command takes to answer without training: ``--help``,
``train --help`` and ``zoo list``, against a bare ``python -c pass`` and
``python -c "import jax"`` in the same run (best and median of N fresh processes).

    python benchmarks/cli_startup.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time

COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "python -c 'import jax'": [sys.executable, "-c", "import jax"],
    "evotrain --help": [sys.executable, "-m", "evotrain", "--help"],
    "evotrain train --help": [sys.executable, "-m", "evotrain", "train", "--help"],
    "evotrain zoo list": [sys.executable, "-m", "evotrain", "zoo", "list"],
}


def wall_times(argv: list[str], repeats: int) -> list[float]:
    """Seconds each of ``repeats`` fresh processes took to run ``argv`` to its end."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=os.environ)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    print(f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"{'command':<26} {'best s':>8} {'median s':>9}")
    for name, argv in COMMANDS.items():
        times = wall_times(argv, args.repeats)
        print(f"{name:<26} {min(times):8.3f} {statistics.median(times):9.3f}")


if __name__ == "__main__":
    main()
