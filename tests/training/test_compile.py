"""Compile options of evotrain's programs: the fast-compile set on the CPU, XLA's defaults
otherwise. The set is fixed whatever XLA_FLAGS say: NEAT's generation step gives
bit-identical results on 1, 2 and 4 devices at its level (tests/training/test_sharding.py)
but not at LLVM's -O0, where the last bits of a few weights differ."""

from evotrain.training.compile import CPU_COMPILER_OPTIONS, compiler_options


def test_fast_compile_options_on_the_cpu_and_xla_defaults_otherwise(monkeypatch):
    monkeypatch.setenv("XLA_FLAGS", "--xla_backend_optimization_level=0")
    assert compiler_options(True) == CPU_COMPILER_OPTIONS
    assert compiler_options(False) == {}
