"""Babel extraction method for kefu (tools/i18n/babel.cfg): the `_()`, `N_()` and `ngettext()`
calls Babel's own Python extractor finds, the `_()` calls inside f-strings it does not look
into, and what click shows as help, which the English
keeps as msgid and cli/help.speak translates at run time: the literal `help=` texts of options
and the docstrings of click commands, cleaned as inspect.cleandoc does."""

from __future__ import annotations

import ast

from babel.messages.extract import extract_python


def _is_click_command(decorator: ast.expr) -> bool:
    """@click.command(), @click.group(), @config.command() …"""
    func = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(func, ast.Attribute) and func.attr in ("command", "group")


def extract(fileobj, keywords, comment_tags, options):
    yield from extract_python(fileobj, keywords, comment_tags, options)
    fileobj.seek(0)
    tree = ast.parse(fileobj.read().decode(options.get("encoding", "utf-8")))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if (isinstance(node.func, ast.Name) and node.func.id in ("_", "N_") and node.args
                    and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                yield node.lineno, "_", node.args[0].value, []  # also inside f-strings, which Babel skips
            for kw in node.keywords:
                if kw.arg == "help" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                    yield kw.value.lineno, "_", kw.value.value, []
        elif isinstance(node, ast.FunctionDef) and any(_is_click_command(d) for d in node.decorator_list):
            doc = ast.get_docstring(node, clean=True)
            if doc:
                yield node.body[0].lineno, "_", doc, []
