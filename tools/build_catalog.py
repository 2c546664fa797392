"""Writes kefu_cli/locale/zh/LC_MESSAGES/kefu.po from tools/zh_messages.py and compiles kefu.mo.

Run after adding or changing a message: python tools/build_catalog.py
(tests/test_i18n.py fails when a message has no translation or the catalog is stale)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from extract_messages import messages  # noqa: E402
from msgfmt import build  # noqa: E402
from zh_messages import CLICK, ZH  # noqa: E402

LOCALE = Path(__file__).resolve().parent.parent / "kefu_cli" / "locale" / "zh" / "LC_MESSAGES"


def quote(s: str) -> str:
    # \b marks click's unwrapped paragraphs in help texts: escaped, as PO editors expect
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\b", "\\b") + '"'


def po_text() -> str:
    lines = ['msgid ""', 'msgstr ""', quote("Content-Type: text/plain; charset=UTF-8\n"), quote("Language: zh\n"), ""]
    ours = messages()
    for msgid in ours:
        lines += [f"msgid {quote(msgid)}", f"msgstr {quote(ZH.get(msgid, ''))}", ""]
    for msgid, msgstr in CLICK.items():  # click's own texts (cli.py routes click's gettext here)
        if msgid not in ours:
            lines += [f"msgid {quote(msgid)}", f"msgstr {quote(msgstr)}", ""]
    return "\n".join(lines)


def main() -> int:
    missing = [m for m in messages() if m not in ZH]
    LOCALE.mkdir(parents=True, exist_ok=True)
    (LOCALE / "kefu.po").write_text(po_text(), encoding="utf-8")
    build(LOCALE / "kefu.po", LOCALE / "kefu.mo")
    for m in missing:
        print(f"untranslated: {m}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
