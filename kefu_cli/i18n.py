"""Human text in Chinese and English through gettext catalogs.

Messages are written in English in the code (`_("...")`); the Chinese catalog lives in
kefu_cli/locale/zh/LC_MESSAGES/kefu.po, the file translators edit, compiled to kefu.mo (both
shipped) by tools/i18n/catalog with Babel. Machine fields (codes, statuses, column names) are
never passed through `_`.

click's own texts ("Usage:", "No such option …") go through the standard library's gettext,
which reads the process's default text domain and its language from LANGUAGE: kefu makes its
catalog that domain, so click's msgids in kefu.po translate them, and sets LANGUAGE to the
chosen language.

Language: --lang > KEFU_LANG > the locale (LC_ALL, LC_MESSAGES, LANG: zh_* -> zh) > en.
"""

from __future__ import annotations

import gettext
import os
from pathlib import Path

LANGUAGES = ("zh", "en")
DOMAIN = "kefu"
LOCALE_DIR = Path(__file__).parent / "locale"

_translation: gettext.NullTranslations = gettext.NullTranslations()
_current = "en"


def detect_language(explicit: str | None = None, environ=os.environ) -> str:
    """Resolve the UI language from the flag, KEFU_LANG, then the POSIX locale variables."""
    for value in (explicit, environ.get("KEFU_LANG")):
        if value:
            return normalise(value)
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(var)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def normalise(value: str) -> str:
    v = value.strip().lower().replace("-", "_")
    if v.startswith("zh"):
        return "zh"
    if v.startswith("en") or v in ("c", "posix"):
        return "en"
    raise ValueError(value)


def set_language(lang: str) -> None:
    global _translation, _current
    _current = lang
    gettext.bindtextdomain(DOMAIN, LOCALE_DIR)
    gettext.textdomain(DOMAIN)
    os.environ["LANGUAGE"] = lang
    if lang == "en":
        _translation = gettext.NullTranslations()
    else:
        _translation = gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)


def current_language() -> str:
    return _current


def _(message: str) -> str:
    return _translation.gettext(message)


def N_(message: str) -> str:
    """Marks a message for the catalog without translating it yet (tables of texts)."""
    return message
