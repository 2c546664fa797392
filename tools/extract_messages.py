"""Lists every message kefu translates: the literal arguments of _() and N_() in kefu_cli/."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "kefu_cli"


def messages() -> list[str]:
    found: dict[str, None] = {}
    for path in sorted(ROOT.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "N_")
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                found[node.args[0].value] = None
    return list(found)


if __name__ == "__main__":
    for m in messages():
        print(m)
