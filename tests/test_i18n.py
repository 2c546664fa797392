import sys

import pytest

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
