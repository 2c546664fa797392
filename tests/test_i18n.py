import gettext
import re
import sys

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT
from kefu_cli.i18n import LOCALE_DIR, detect_language, normalise

sys.path.insert(0, str(ROOT / "tools" / "i18n"))

PO = LOCALE_DIR / "zh" / "LC_MESSAGES" / "kefu.po"
MO = LOCALE_DIR / "zh" / "LC_MESSAGES" / "kefu.mo"
PLACEHOLDER = r"\{\w+(?:![rs])?\}|%\(\w+\)s"


def kefu_messages() -> set[str]:
    """What tools/i18n/catalog extracts from kefu_cli, through the same Babel method."""
    found = extract_from_dir(str(ROOT / "kefu_cli"), method_map=[("**.py", "babel_extract.extract")])
    return {message if isinstance(message, str) else message[0] for _file, _line, message, _c, _ctx in found}


def catalog() -> dict:
    with open(PO, "rb") as fh:
        return {m.id: m.string for m in read_po(fh) if m.id}


def test_every_message_has_a_chinese_translation():
    po = catalog()
    singular = {k if isinstance(k, str) else k[0]: v for k, v in po.items()}
    missing = sorted(m for m in kefu_messages() if not singular.get(m))
    assert missing == [], "translate them in kefu.po, then run tools/i18n/catalog: %s" % missing


def test_every_help_text_on_the_command_line_is_in_the_catalog():
    """What `--help` shows, read from the commands themselves: a help text passed through a
    variable is invisible to extraction, so it would show in English whatever the language."""
    import click

    from kefu_cli.cli.app import cli

    po = catalog()
    texts = []

    def walk(command):
        texts.extend(p.help for p in command.params if getattr(p, "help", None))
        if command.help:
            texts.append(command.help)
        for sub in getattr(command, "commands", {}).values():
            walk(sub)

    walk(cli)
    clean = [re.sub(r"\s+", " ", t.strip()) for t in texts]
    known = {re.sub(r"\s+", " ", k.strip()) for k in po if isinstance(k, str) and po[k]}
    assert [t for t in clean if t not in known] == []
    assert isinstance(cli, click.Group)


def test_the_shipped_mo_is_the_po_compiled():
    def plain(value):
        return tuple(value) if isinstance(value, (list, tuple)) else value

    with open(MO, "rb") as fh:
        compiled = {plain(m.id): plain(m.string) for m in read_mo(fh) if m.id}
    translated = {k: v for k, v in catalog().items() if (v if isinstance(v, str) else any(v))}
    # Babel writes an untranslated plural entry with the English forms: leave those aside
    def forms(value):
        return set(value) if isinstance(value, tuple) else {value}

    compiled = {k: v for k, v in compiled.items() if not (isinstance(k, tuple) and forms(v) <= forms(k))}
    assert compiled == translated, "run tools/i18n/catalog compile"


def test_placeholders_survive_translation():
    """A translation keeps its msgid's placeholders; Chinese has one plural form, which keeps
    those of the singular or of the plural msgid (click formats both with the same values)."""
    for msgid, msgstr in catalog().items():
        forms = [msgid] if isinstance(msgid, str) else list(msgid)
        for text in [msgstr] if isinstance(msgstr, str) else list(msgstr):
            if text:
                assert sorted(re.findall(PLACEHOLDER, text)) in [sorted(re.findall(PLACEHOLDER, f)) for f in forms], forms


def test_clicks_texts_come_through_the_default_domain(run):
    run("--lang", "zh", "--version")
    assert gettext.gettext("Show this message and exit.") == "显示此帮助并退出。"
    assert gettext.ngettext("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})",
                            2) == "多出了参数（{args}）"
    run("--lang", "en", "--version")
    assert gettext.gettext("Show this message and exit.") == "Show this message and exit."


@pytest.mark.parametrize("explicit,env,expected", [
    ("zh", {}, "zh"), ("en", {"KEFU_LANG": "zh"}, "en"), (None, {"KEFU_LANG": "zh_CN"}, "zh"),
    (None, {"LANG": "zh_CN.UTF-8"}, "zh"), (None, {"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN"}, "en"),
    (None, {"LANG": "C"}, "en"), (None, {}, "en"),
])
def test_language_detection(explicit, env, expected):
    assert detect_language(explicit, env) == expected


def test_normalise_rejects_unknown():
    with pytest.raises(ValueError):
        normalise("fr")


def test_usage_errors_and_help_speak_the_chosen_language(run):
    r = run("--lang", "zh", "audit", "--fial-on", "x", "f.csv")
    assert r.exit_code == 2 and "没有选项 '--fial-on'" in r.stderr and "是不是 '--fail-on'" in r.stderr
    r = run("--lang", "zh", "track", "--concurrency", "0", "1")
    assert r.exit_code == 2 and "的值无效" in r.stderr and "不在范围" in r.stderr
    r = run("--lang", "zh", "orders", "--help")
    assert r.exit_code == 0 and r.stdout.startswith("用法: kefu orders")
    assert "读取订单文件，输出为标准记录。" in r.stdout and "只输出这些字段，按这个顺序。" in r.stdout
    assert "显示此帮助并退出。" in r.stdout
    # a Chinese paragraph is broken by display width (two columns per character), not by characters
    from wcwidth import wcswidth

    for command in ([], ["orders"], ["route"], ["eta"], ["audit"], ["track"], ["remind"], ["notify"],
                    ["messages", "lint"], ["config", "check"], ["config", "show"]):
        text = run("--lang", "zh", *command, "--help").stdout
        wide = [line for line in text.splitlines() if wcswidth(line) > 80  # the runner's terminal
                and not line.lstrip().startswith(("kefu", "KEFU", "*/10"))  # examples are kept as written
                and not line.lstrip().startswith("/")]  # and a path (--state's resolved default) whole
        assert wide == [], (command, wide)
    # and back in English within the same process
    r = run("--lang", "en", "orders", "--help")
    assert r.stdout.startswith("Usage: kefu orders") and "Only these fields, in this order." in r.stdout
    r = run("--lang", "en", "audit", "--fial-on", "x", "f.csv")
    assert "No such option '--fial-on'" in r.stderr


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["中", "文", "，", "。", "、", "（", "）", " ", " abc ", " CSV/TSV ", " x ", " 12 "]), max_size=80),
       st.integers(12, 60))
def test_wide_text_wraps_within_the_width_and_keeps_every_character(parts, width):
    from wcwidth import wcswidth

    from kefu_cli.cli.help import wrap_wide

    text = "".join(parts)
    lines = wrap_wide(text, width)
    assert all(wcswidth(line) <= width for line in lines), (lines, width)
    assert "".join(text.split()) == "".join("".join(lines).split())
    squeezed = "".join(text.split())
    if not any(a in "，。、）" and b in "，。、）" for a, b in zip(squeezed, squeezed[1:])):
        assert not any(line[0] in "，。、）" for line in lines[1:])  # no line starts with closing punctuation
