"""The report languages and the locale's choice: no pydantic here, so `labcheck --help` stays fast."""

from __future__ import annotations

import os
from typing import Literal

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")


def default_lang(environ: dict[str, str] | None = None) -> Lang:
    """The language from the locale (LC_ALL, LC_MESSAGES, LANG, LANGUAGE), English otherwise."""
    env = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = env.get(var, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"
