"""Bilingual text: every message a learner sees exists in Chinese and English."""

from __future__ import annotations

import importlib
from typing import Any

from labcheck.core.lang import LANGS, Lang, default_lang
from labcheck.core.model import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

__all__ = ["LANGS", "Lang", "Text", "default_lang", "msg", "register_messages", "tr"]


class Text(BaseModel):
    """A piece of text in Chinese and English. In YAML a plain string means the same in both."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    zh: str = Field(description="Chinese text (简体中文).")
    en: str = Field(description="English text.")
    _key: str = PrivateAttr(default="")  # the message id it was made from, if any

    @property
    def key(self) -> str:
        """The catalog id (e.g. `pod.wrong_image`) of a message made by msg(); "" otherwise."""
        return self._key

    @model_validator(mode="before")
    @classmethod
    def _from_plain_string(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"zh": value, "en": value}
        return value

    def get(self, lang: Lang) -> str:
        return self.zh if lang == "zh" else self.en

    @classmethod
    def same(cls, text: str) -> Text:
        return cls(zh=text, en=text)

    def __add__(self, other: Text) -> Text:
        return Text(zh=self.zh + other.zh, en=self.en + other.en)


_CATALOG: dict[str, dict[Lang, str]] = {}


def register_messages(messages: dict[str, dict[Lang, str]]) -> None:
    """Add message ids to the catalog; each module that talks to learners registers its own."""
    for key, entry in messages.items():
        missing = [lang for lang in LANGS if not entry.get(lang)]
        if missing:
            raise ValueError(f"message {key!r} has no text for {', '.join(missing)}")
        if key in _CATALOG and _CATALOG[key] != entry:
            raise ValueError(f"message id {key!r} is registered twice")
        _CATALOG[key] = entry


# Modules whose import registers messages, loaded by name on the first unknown id: core never
# imports the layers above it, but a lookup may come before they were imported.
MESSAGE_MODULES = ("labcheck.checks", "labcheck.messages")


def catalog() -> dict[str, dict[Lang, str]]:
    for name in MESSAGE_MODULES:
        importlib.import_module(name)
    return dict(_CATALOG)


def msg(key: str, **params: object) -> Text:
    """Look up a message id and fill in its parameters in both languages (a Text param per language)."""
    if key not in _CATALOG:
        catalog()
    try:
        entry = _CATALOG[key]
    except KeyError:
        raise KeyError(f"message id {key!r} is not registered") from None
    def fill(lang: Lang) -> str:
        values = {k: v.get(lang) if isinstance(v, Text) else v for k, v in params.items()}
        return entry[lang].format(**values)

    text = Text(zh=fill("zh"), en=fill("en"))
    text._key = key
    return text


def tr(key: str, lang: Lang, **params: object) -> str:
    """One message in one language (reporters' labels)."""
    return msg(key, **params).get(lang)
