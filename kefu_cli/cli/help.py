"""Help and click's own texts in the user's language: the command line's side of i18n.

- click's messages (usage errors, "Usage:", "Show this message and exit.") come through gettext's
  default domain, which kefu_cli.i18n makes kefu's catalog;
- the command tree's help texts translated, the English kept as msgid;
- HelpFormatter: Chinese and Japanese help wrapped by display columns (click counts characters).
"""

from __future__ import annotations

import click

from kefu_cli.i18n import _, current_language


_spoken = "en"  # the language the command tree's help texts are in


def speak(command: click.Command) -> None:
    """Put the help texts of `command` and every command under it in the current language (no
    work while that is the language they are already in)."""
    global _spoken
    if current_language() != _spoken:
        _speak(command)
        _spoken = current_language()


def _speak(command: click.Command) -> None:
    # The English is the msgid (tools/extract_messages.py collects option help= texts and command
    # docstrings) and is kept aside, so a later run in the same process can switch back.
    import inspect

    params = list(command.params)
    if command.__dict__.get("_help_option") is not None:  # click >= 8.2 keeps the --help it built
        params.append(command.__dict__["_help_option"])
    for obj in (command, *params):
        for attr in ("help", "short_help"):
            english = obj.__dict__.setdefault(f"_kefu_{attr}", getattr(obj, attr, None))
            if english:
                setattr(obj, attr, _(inspect.cleandoc(english)))
    for sub in getattr(command, "commands", {}).values():
        _speak(sub)


_NO_LINE_START = "，。；：、）》」』！？,.;:)]"
_NO_LINE_END = "（《「『(["


def wrap_wide(text: str, width: int) -> list[str]:
    """Lines of at most `width` display columns, a Chinese or Japanese character counting two:
    breaks at spaces and between wide characters, never inside an ASCII word, before closing
    punctuation or after an opening bracket."""
    import re

    from wcwidth import wcswidth

    lines, line = [], []  # line: the tokens of the line being built
    for token in re.findall(r"[!-~]+| +|[^ ]", text):
        if token.startswith(" "):
            if line:
                line.append(" ")
        elif line and wcswidth("".join(line) + token) > width:
            while line and line[-1] == " ":
                line.pop()
            carry = []
            while token in _NO_LINE_START and len(line) > 1 and (not carry or carry[0] in _NO_LINE_START):
                carry.insert(0, line.pop())  # closing punctuation takes the word before it along
                while line and line[-1] == " ":
                    line.pop()
            while line and line[-1] in _NO_LINE_END:
                carry.insert(0, line.pop())
            if carry and wcswidth("".join(carry) + token) > width:
                # what would move along does not fit on the next line either: break here after all
                line, carry = line + carry, []
            if line:
                lines.append("".join(line))
            line = carry + [token]
        else:
            line.append(token)
    if line and "".join(line).strip():
        lines.append("".join(line).rstrip())
    return lines


def _is_wide(text: str) -> bool:
    from wcwidth import wcswidth

    return not text.isascii() and wcswidth(text) != len(text)


class HelpFormatter(click.HelpFormatter):
    """click's help formatter, except that text holding wide (Chinese, Japanese) characters is
    wrapped by display columns: click counts characters, so a Chinese paragraph ran twice as wide
    as the terminal. `\b` paragraphs stay as written, as in click."""

    def write_text(self, text: str) -> None:
        if not _is_wide(text):
            return super().write_text(text)
        indent = " " * self.current_indent
        blocks = []
        for lines in _paragraphs(text):
            if lines[0].strip() == "\b":
                blocks.append("\n".join(indent + line for line in lines[1:]))
            else:
                joined = " ".join(line.strip() for line in lines)
                blocks.append("\n".join(indent + line for line in wrap_wide(joined, self.width - self.current_indent)))
        self.write("\n\n".join(blocks) + "\n")

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        rows = list(rows)
        if not any(_is_wide(second) for _first, second in rows):
            return super().write_dl(rows, col_max, col_spacing)
        first_col = min(max(len(first) for first, _second in rows), col_max) + col_spacing
        margin = " " * (first_col + self.current_indent)
        for first, second in rows:
            self.write(" " * self.current_indent + first)
            if not second:
                self.write("\n")
                continue
            self.write(" " * (first_col - len(first)) if len(first) <= first_col - col_spacing else "\n" + margin)
            lines = wrap_wide(" ".join(second.split("\n")), max(self.width - first_col - 2, 10)) or [""]
            self.write(lines[0] + "\n" + "".join(f"{margin}{line}\n" for line in lines[1:]))


def _paragraphs(text: str) -> list[list[str]]:
    out, lines = [], []
    for line in text.splitlines():
        if line:
            lines.append(line)
        elif lines:
            out.append(lines)
            lines = []
    if lines:
        out.append(lines)
    return out


class Context(click.Context):
    formatter_class = HelpFormatter


def use_context(command: click.Command) -> None:
    """Every command under `command` formats its help with HelpFormatter."""
    command.context_class = Context
    for sub in getattr(command, "commands", {}).values():
        use_context(sub)
