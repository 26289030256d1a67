"""Every message a learner or instructor sees exists in Chinese and English, with the same
placeholders, and every message id the code asks for is registered."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from labcheck.core.i18n import Text, catalog, default_lang, msg, register_messages

ROOT = Path(__file__).resolve().parents[2]


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_has_both_languages_and_the_same_placeholders() -> None:
    messages = catalog()
    assert len(messages) > 100
    for key, entry in messages.items():
        assert entry["zh"].strip() and entry["en"].strip(), key
        assert placeholders(entry["zh"]) == placeholders(entry["en"]), key


def test_every_message_id_used_in_the_code_is_registered() -> None:
    import importlib

    for path in [*ROOT.glob("grader/**/*.py"), *ROOT.glob("checks/*.py")]:  # each registers its own
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        if not module.endswith("__main__"):
            importlib.import_module(module.removesuffix(".__init__"))
    known = set(catalog())
    used: set[str] = set()
    for path in [*ROOT.glob("grader/**/*.py"), *ROOT.glob("checks/*.py")]:
        source = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"""\b(?:msg|tr)\(\s*["']([a-z_]+\.[a-z_.]+)["']""", source))
    assert used, "no message ids found"
    assert used <= known, sorted(used - known)


def test_missing_language_or_duplicate_id_is_refused() -> None:
    with pytest.raises(ValueError, match="no text for zh"):
        register_messages({"test.only_en": {"en": "x"}})  # type: ignore[dict-item]
    register_messages({"test.once": {"en": "a", "zh": "甲"}})
    with pytest.raises(ValueError, match="registered twice"):
        register_messages({"test.once": {"en": "b", "zh": "乙"}})


def test_language_from_the_locale() -> None:
    assert default_lang({"LANG": "zh_CN.UTF-8"}) == "zh"
    assert default_lang({"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}) == "en"
    assert default_lang({}) == "en"


def test_text_parameters_are_localized() -> None:
    inner = Text(zh="命名空间", en="namespace")
    text = msg("where.namespace", namespace="lab")
    assert text.key == "where.namespace"
    outer = msg("exists.none", kind="Pod", target="web", where=inner, count=0, min_count=1)
    assert "命名空间" in outer.zh and "namespace" in outer.en


def test_every_check_kind_is_described_in_both_languages() -> None:
    import labcheck.explain  # noqa: F401  (registers kind.*)
    from labcheck.checks import SPECS

    assert {f"kind.{k}" for k in SPECS} <= set(catalog())
