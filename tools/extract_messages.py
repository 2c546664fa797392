"""Lists every message kefu translates: the literal arguments of _() and N_() in kefu_cli/."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "kefu_cli"


def _is_click_command(decorator: ast.expr) -> bool:
    """@click.command(), @click.group(), @config.command() …"""
    func = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(func, ast.Attribute) and func.attr in ("command", "group")


def messages() -> list[str]:
    """The literal arguments of _() and N_(), the help= texts of options, and the docstrings of
    click commands (cleaned as inspect.cleandoc does: helptext.speak looks them up that way)."""
    found: dict[str, None] = {}
    for path in sorted(ROOT.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "N_")
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                found[node.args[0].value] = None
            elif isinstance(node, ast.Call):
                for kw in node.keywords:
                    if kw.arg == "help" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                        found[kw.value.value] = None
            elif isinstance(node, ast.FunctionDef) and any(_is_click_command(d) for d in node.decorator_list):
                doc = ast.get_docstring(node, clean=True)
                if doc:
                    found[doc] = None
    return list(found)


if __name__ == "__main__":
    for m in messages():
        print(m)
