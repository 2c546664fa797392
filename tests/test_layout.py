"""The shape of the code: no import cycle inside kefu_cli, data and imports flowing one way
(cli -> capabilities -> orders -> leaves), and the core never importing click."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "kefu_cli"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports() -> dict[str, set[str]]:
    """Every kefu_cli module -> the kefu_cli modules it imports, at the top or inside a function
    (a lazy import is still a dependency)."""
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found = set()
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            else:
                continue
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target.startswith("kefu_cli") and target != name and target != "kefu_cli":
                    found.add(target)
        graph[name] = found
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    found, state, stack = [], {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                found.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found


def test_no_import_cycle():
    assert cycles(imports()) == []


def test_the_cycle_finder_finds_one():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


# who may import whom: a package imports only the ones listed after it (and leaves)
LEAVES = {"kefu_cli.errors", "kefu_cli.i18n", "kefu_cli.orders.schema"}
ALLOWED = {
    "kefu_cli.cli": None,  # the command line may use everything
    "kefu_cli.pipeline": {"kefu_cli.orders", "kefu_cli.output"},
    "kefu_cli.audit": {"kefu_cli.logistics", "kefu_cli.orders", "kefu_cli.config", "kefu_cli.output", "kefu_cli.pipeline"},
    "kefu_cli.messaging": {"kefu_cli.logistics", "kefu_cli.orders", "kefu_cli.config"},
    "kefu_cli.aftersales": {"kefu_cli.logistics", "kefu_cli.orders", "kefu_cli.config"},
    "kefu_cli.insights": {"kefu_cli.aftersales", "kefu_cli.audit", "kefu_cli.tracking", "kefu_cli.logistics", "kefu_cli.orders",
                          "kefu_cli.config", "kefu_cli.output", "kefu_cli.pipeline", "kefu_cli.state"},
    "kefu_cli.tracking": {"kefu_cli.logistics", "kefu_cli.config", "kefu_cli.state", "kefu_cli.http"},
    "kefu_cli.pull": {"kefu_cli.orders", "kefu_cli.config", "kefu_cli.state", "kefu_cli.http"},
    "kefu_cli.logistics": {"kefu_cli.orders", "kefu_cli.config"},
    "kefu_cli.orders": {"kefu_cli.config", "kefu_cli.output"},
    "kefu_cli.config": set(),
    "kefu_cli.output": set(),
    "kefu_cli.state": set(),
    "kefu_cli.http": set(),
}


def owner(module: str) -> str | None:
    return next((p for p in ALLOWED if module == p or module.startswith(p + ".")), None)


def test_imports_flow_one_way():
    wrong = []
    for module, targets in imports().items():
        mine = owner(module)
        if mine is None or ALLOWED[mine] is None:
            continue
        for target in targets:
            theirs = owner(target)
            if target in LEAVES or theirs == mine or theirs in ALLOWED[mine]:
                continue
            wrong.append(f"{module} imports {target}")
    assert wrong == []


def test_the_core_never_imports_click():
    for path in PACKAGE.rglob("*.py"):
        if "cli" in path.relative_to(PACKAGE).parts[:1]:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {(n.module or "").split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert "click" not in names, path


def test_routing_and_configuration_import_no_capability():
    graph = imports()
    assert not any(t.startswith("kefu_cli.orders.reader") for m, ts in graph.items()
                   if m.startswith("kefu_cli.logistics") for t in ts)
    assert graph["kefu_cli.config"] <= LEAVES
