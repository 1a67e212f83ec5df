"""The package's modules import each other without cycles.

A test walks the module-level imports of every module under ``evotrain/`` (imports inside
functions are deliberate lazy imports and are left out) and fails on any cycle, printing it.
Importing ``evotrain.a.b`` first runs ``evotrain/a/__init__.py``, so that edge counts too,
except from modules inside ``evotrain.a`` itself.
"""

from __future__ import annotations

import ast
import pathlib

import evotrain

ROOT = pathlib.Path(evotrain.__file__).resolve().parent


def _module_name(path: pathlib.Path) -> str:
    parts = ["evotrain", *path.relative_to(ROOT).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, pathlib.Path]:
    return {_module_name(p): p for p in ROOT.rglob("*.py")}


def _targets(name: str, node: ast.AST, modules: dict[str, pathlib.Path]) -> set[str]:
    """Modules of the package an import statement loads (itself and parent packages)."""
    found: set[str] = set()
    if isinstance(node, ast.Import):
        wanted = [a.name for a in node.names]
    elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        wanted = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
    else:
        return found
    for target in wanted:
        if not target.startswith("evotrain"):
            continue
        parts = target.split(".")
        for i in range(1, len(parts) + 1):
            candidate = ".".join(parts[:i])
            own_package = name == candidate or name.startswith(candidate + ".")
            if candidate in modules and not own_package:
                found.add(candidate)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        edges: set[str] = set()
        for node in tree.body:  # module level only
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                continue
            for sub in ast.walk(node) if isinstance(node, (ast.If, ast.Try)) else [node]:
                edges |= _targets(name, sub, modules)
        graph[name] = edges - {name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return components


def test_the_walk_sees_the_package():
    graph = _graph()
    assert "evotrain.algorithms.base" in graph
    assert "evotrain.callbacks.base" in graph["evotrain.algorithms.base"] or any(
        t.startswith("evotrain.callbacks") for t in graph["evotrain.algorithms.base"]
    )


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles():
    cycles = _cycles(_graph())
    assert not cycles, "import cycles among: " + "; ".join(" <-> ".join(c) for c in cycles)


# The package layering docs/architecture.md states: a package imports only packages of an
# earlier layer or of its own (peers in one layer may import each other; the cycle test
# above keeps that acyclic). ``algorithms/`` is the composition root: it wires the host
# services (callbacks, logging, persistence), which receive a model and never import it.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"types", "limits", "runtime", "distributed", "networks", "neat", "hyperneat", "qd"}),
    frozenset({"envs"}),
    frozenset({"evaluation"}),
    frozenset({"strategies"}),
    frozenset({"training"}),
    frozenset({"callbacks", "logging", "persistence"}),
    frozenset({"algorithms"}),
    frozenset({"evotrain", "__main__", "cli", "viz", "zoo"}),
)


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _layer_of(package: str) -> int:
    for i, layer in enumerate(LAYERS):
        if package in layer:
            return i
    raise AssertionError(
        f"package {package!r} is in no layer: add it to LAYERS here and to "
        "docs/architecture.md's layering."
    )


def _against_layering(graph: dict[str, set[str]]) -> list[str]:
    """``"a -> b"`` for every module-level import of a later layer's module."""
    return sorted(
        f"{a} -> {b}"
        for a, targets in graph.items()
        for b in targets
        if _layer_of(_package(b)) > _layer_of(_package(a))
    )


def test_the_layering_check_finds_an_import_against_the_flow():
    graph = {"evotrain.envs.x": {"evotrain.algorithms.base"}, "evotrain.cli.y": {"evotrain.envs.x"}}
    assert _against_layering(graph) == ["evotrain.envs.x -> evotrain.algorithms.base"]


def test_every_package_imports_only_its_own_or_earlier_layers():
    wrong = _against_layering(_graph())
    assert not wrong, "imports against the layering:\n" + "\n".join(wrong)


def test_the_docs_state_the_layering_the_test_checks():
    text = (ROOT.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    order = [
        "types.py, limits.py, runtime/, distributed/, networks/, neat/, hyperneat/, qd/",
        "envs",
        "evaluation",
        "strategies",
        "training",
        "callbacks, logging, persistence",
        "algorithms",
        "cli, viz, zoo",
    ]
    assert " -> ".join(order) in text.replace("\n", " ")
