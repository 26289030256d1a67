"""A Markdown report, e.g. for a GitHub Actions job summary (`>> $GITHUB_STEP_SUMMARY`).

One table per step: outcome symbol, check, points, and for checks that did not pass the message,
expected vs actual and the hint. Everything is one line per cell, HTML- and Markdown-escaped, so
a hostile log cannot break the table, inject links or raw HTML.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from labcheck.core.i18n import Lang
from labcheck.core.results import CheckResult, Outcome, RunResult, StepResult, localized
from labcheck.reporters import ReportOptions
from labcheck.reporters.labels import (
    SYMBOLS,
    kv,
    label,
    num,
    outcome_word,
    percent,
    shows_hint,
    ungraded_lines,
)
from labcheck.reporters.safe import clean

CELL_LIMIT = 500
VALUE_LIMIT = 200

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")


def _literal(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN.sub(r"\\\1", text)


def escape(text: str, limit: int = CELL_LIMIT) -> str:
    """One cleaned line that renders as literal text in a Markdown table cell, except that `code`
    stays code (hints name commands that way): as an HTML <code> element around escaped text, so
    nothing inside it (`<name>`, a `|`, a backtick from a log) can break the table or inject HTML."""
    parts = clean(text, limit).split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick is just a backtick
        parts[-2:] = [parts[-2] + "`" + parts[-1]]
    return "".join(_literal(part) if i % 2 == 0 else f"<code>{_literal(part)}</code>" if part
                   else _literal("``") for i, part in enumerate(parts))


def _pairs(values: Mapping[str, str]) -> str:
    return ", ".join(f"{clean(k, 80)}={clean(v, VALUE_LIMIT)}" for k, v in values.items())


def _details(check: CheckResult, lang: Lang) -> str:
    parts = [escape(check.message.get(lang))]
    if check.outcome is not Outcome.PASSED:
        if check.expected:
            parts.append(escape(kv("expected", _pairs(localized(check.expected, lang)), lang)))
        if check.actual:
            parts.append(escape(kv("actual", _pairs(localized(check.actual, lang)), lang)))
        if check.hint is not None and shows_hint(check):
            parts.append(escape(kv("hint", check.hint.get(lang), lang)))
    return "<br>".join(part for part in parts if part)


def _step(step: StepResult, lang: Lang) -> list[str]:
    lines = [
        f"### {escape(step.step_id, 100)} {escape(step.title.get(lang), 200)} — "
        f"{num(step.score)}/{num(step.max_score)}",
        "",
        f"| | {label('check', lang)} | {label('points', lang)} | {label('message', lang)} |",
        "|---|---|---|---|",
    ]
    for check in step.checks:
        symbol = f"{SYMBOLS[check.outcome]} {outcome_word(check.outcome, lang)}"
        points = f"{num(check.score)}/{num(check.points)}" if check.graded else f"-/{num(check.points)}"
        title = escape(check.title.get(lang), 200) or escape(check.check_id, 100)
        lines.append(f"| {escape(symbol, 100)} | {title} | {points} | {_details(check, lang)} |")
    if step.hidden_checks:
        lines += ["", escape(label("hidden", lang, count=step.hidden_checks, points=num(step.hidden_points)))]
    return lines


def render(result: RunResult, options: ReportOptions) -> str:
    lang = options.lang
    verdict = label("verdict.passed" if result.passed else "verdict.not_yet", lang)
    summary = label("summary", lang, score=num(result.score), max=num(result.max_score),
                    percent=percent(result.percent), verdict=verdict)
    title = label("md.title", lang, title=result.lab_title.get(lang))
    lines = [f"## {escape(title, 300)}", "", f"**{escape(summary, 300)}**"]
    where = [kv(name, value, lang) for name, value in
             (("context", result.context), ("cluster", result.cluster), ("namespace", result.namespace))
             if value]
    if where:
        lines += ["", escape("  ".join(where), 600)]
    if result.ungraded_points or result.cluster_problem is not None:
        *why, _note = ungraded_lines(result, lang)
        lines += ["", *(f"> {escape(text)}" for text in why)]
    for step in result.steps:
        lines += ["", *_step(step, lang)]
    return "\n".join(lines) + "\n"
