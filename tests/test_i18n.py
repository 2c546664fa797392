import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT
from kefu_cli.i18n import detect_language, normalise

sys.path.insert(0, str(ROOT / "tools"))

from build_catalog import LOCALE, po_text  # noqa: E402
from extract_messages import messages  # noqa: E402
from msgfmt import compile_mo, parse_po  # noqa: E402
from zh_messages import ZH  # noqa: E402


def test_every_message_has_a_chinese_translation():
    missing = [m for m in messages() if not ZH.get(m)]
    assert missing == [], "run python tools/build_catalog.py after translating: %s" % missing


def test_catalog_is_up_to_date():
    assert (LOCALE / "kefu.po").read_text(encoding="utf-8") == po_text(), "run python tools/build_catalog.py"
    assert (LOCALE / "kefu.mo").read_bytes() == compile_mo(parse_po(po_text()))


def test_placeholders_survive_translation():
    import re

    for msgid, msgstr in ZH.items():
        assert sorted(re.findall(r"\{\w+\}", msgid)) == sorted(re.findall(r"\{\w+\}", msgstr)), msgid


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


def test_click_texts_keep_their_placeholders():
    import re

    from zh_messages import CLICK

    pattern = r"\{\w+(?:![rs])?\}|%\(\w+\)s"
    for msgid, msgstr in CLICK.items():
        assert sorted(re.findall(pattern, msgid)) == sorted(re.findall(pattern, msgstr)), msgid


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
                and not line.lstrip().startswith(("kefu", "KEFU", "*/10"))]  # examples are kept as written
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
