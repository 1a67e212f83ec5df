"""NEAT on XOR as a new user first tries it: ``NEAT("FeedForward", "xor")`` at pop 150.

Counts, over many seeds, the runs that solve XOR within 150 generations with NEAT's
defaults, with evotrain 0.1's defaults (compatibility threshold 3.5, output nodes like the
hidden ones) and with the ``xor`` preset, on the built-in ``"xor"`` problem (fitness = -MSE).
Solved means a mean squared error of at most 0.025, the same as neat-python's
``4 - SSE >= 3.9``: every output on the right side of 0.5.

    python benchmarks/neat_xor_defaults.py [--seeds 100] [--generations 150]

``--try`` measures other settings instead (JSON NEAT keywords, one row each, on top of
``--preset`` or the defaults), as the sweep in BENCHMARKS.md was:

    python benchmarks/neat_xor_defaults.py --seeds 30 \
        --try '{"allocation": "rank"}' '{"survival_threshold": 0.1}'
"""

from __future__ import annotations

import argparse
import json

from _common import machine, setup_cache
from neat_vs_neat_python import evotrain_xor_seeds, summarize

SOLVED_MSE = 0.025
ROWS = (  # name, preset, keywords
    ("defaults", None, {}),
    ("0.1 defaults", None, {"compatibility_threshold": 3.5, "output_activation": None}),
    ("preset xor", "xor", {}),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=100)
    parser.add_argument("--generations", type=int, default=150)
    parser.add_argument("--pop-size", type=int, default=150)
    parser.add_argument("--try", dest="tries", nargs="+", metavar="JSON", default=None)
    parser.add_argument("--preset", default=None, help="the base of --try (default: none)")
    args = parser.parse_args()
    rows = ROWS
    if args.tries:
        rows = tuple((text, args.preset, json.loads(text)) for text in args.tries)
    setup_cache()
    print(f"machine: {machine()}")
    print(
        f"NEAT('FeedForward', 'xor', pop_size={args.pop_size}), seeds 0-{args.seeds - 1}, "
        f"solved = MSE <= {SOLVED_MSE} within {args.generations} generations"
    )
    print(f"{'settings':<14} {'solved':>8} {'mean gens':>10} {'median':>7} {'hidden':>7}")
    for name, preset, overrides in rows:
        results = evotrain_xor_seeds(
            preset,
            list(range(args.seeds)),
            args.pop_size,
            args.generations,
            problem="xor",
            threshold=-SOLVED_MSE,
            overrides=overrides,
        )
        s = summarize(results)
        print(
            f"{name:<14} {s['solved']:>4}/{s['runs']:<3} {s['mean_gens']:>10.1f} "
            f"{s['median_gens']:>7} {s['mean_hidden']:>7.2f}"
        )


if __name__ == "__main__":
    main()
