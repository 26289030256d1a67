"""`labcheck list` and `labcheck explain`: what a lab grades, read from its spec alone."""

from __future__ import annotations

from typing import Any

from labcheck.checks.base import CheckSpec
from labcheck.core.i18n import Lang, register_messages, tr
from labcheck.spec import Lab

register_messages({
    "list.header": {"en": "{title} ({lab}): {steps} steps, {points} points, pass at {threshold}%",
                    "zh": "{title}（{lab}）：{steps} 个步骤，共 {points} 分，{threshold}% 及格"},
    "list.step": {"en": "{step:<10} {title}", "zh": "{step:<10} {title}"},
    "list.score": {"en": "{checks}, {points}", "zh": "{checks}，{points}"},
    "list.checks.one": {"en": "1 check", "zh": "1 项检查"},
    "list.checks.many": {"en": "{n} checks", "zh": "{n} 项检查"},
    "points.one": {"en": "1 pt", "zh": "1 分"},
    "points.many": {"en": "{n} pts", "zh": "{n} 分"},
    "list.usage": {"en": "Run `labcheck STEP` (e.g. labcheck {first}) to grade a step.",
                   "zh": "运行 `labcheck 步骤`（例如 labcheck {first}）来检查一个步骤。"},
    "explain.step": {"en": "{step}: {title}", "zh": "{step}：{title}"},
    "explain.check": {"en": "  [{id}] {title} ({points}, {kind})",
                      "zh": "  [{id}] {title}（{points}，{kind}）"},
    "explain.what": {"en": "      what: {description}", "zh": "      检查：{description}"},
    "explain.needs": {"en": "      after: {deps}", "zh": "      前提：{deps}"},
    "explain.hint": {"en": "      hint: {hint}", "zh": "      提示：{hint}"},
    "explain.question": {"en": "      question: {question}", "zh": "      问题：{question}"},
    "explain.choices": {"en": "      choices: {choices}", "zh": "      选项：{choices}"},
    "explain.hidden": {"en": "  and {count} hidden check(s) ({points} pts), graded by your instructor",
                       "zh": "  另有 {count} 项隐藏检查（{points} 分），由老师评分"},
})

_COMMON = set(CheckSpec.model_fields)


def _points(value: float) -> str:
    return f"{value:g}"


def _count(prefix: str, value: float, lang: Lang) -> str:
    """`1 pt`, `2 pts`, `0.5 pts` (`1 分`): the singular only for exactly one."""
    return tr(f"{prefix}.one", lang) if value == 1 else tr(f"{prefix}.many", lang, n=_points(value))


LIST_WIDTH = 80  # the score column ends here


def _list_line(left: str, right: str) -> str:
    """`left` cut to fit (in terminal columns, CJK counts two) so `right` always ends at LIST_WIDTH."""
    from labcheck.reporters.text import width

    room = max(LIST_WIDTH - width(right) - 2, 12)
    if width(left) > room:
        while left and width(left) > room - 1:
            left = left[:-1]
        left += "…"
    return left + " " * (room - width(left) + 2) + right


def render_list(lab: Lab, lang: Lang) -> str:
    total = sum(c.points for s in lab.steps.values() for c in s.checks)
    lines = [tr("list.header", lang, title=lab.spec.title.get(lang), lab=lab.id, steps=len(lab.steps),
                points=_points(total), threshold=_points(lab.spec.pass_threshold * 100)), ""]
    for step_id in lab.spec.steps:
        step = lab.step(step_id)
        score = tr("list.score", lang, checks=_count("list.checks", len(step.checks), lang),
                   points=_count("points", sum(c.points for c in step.checks), lang))
        left = tr("list.step", lang, step=step_id, title=step.title.get(lang))
        lines.append(_list_line(left, f"[{score}]"))
    lines += ["", tr("list.usage", lang, first=lab.spec.steps[0])]
    return "\n".join(lines)


def _fields(check: CheckSpec) -> str:
    """The kind's own settings that differ from their defaults, as `name=value`."""
    parts = []
    data: dict[str, Any] = check.model_dump(exclude_defaults=True, mode="json")
    for name, value in data.items():
        if name in _COMMON or name == "kind":
            continue
        if isinstance(value, dict) and set(value) == {"zh", "en"}:
            continue  # texts are shown on their own lines, in the learner's language
        if name == "choices":
            continue
        parts.append(f"{name}={value}")
    return ", ".join(parts)


def render_explain(lab: Lab, step_ids: list[str], lang: Lang) -> str:
    lines: list[str] = []
    for step_id in step_ids:
        step = lab.step(step_id)
        lines.append(tr("explain.step", lang, step=step_id, title=step.title.get(lang)))
        if step.summary:
            lines.append("  " + step.summary.get(lang))
        hidden = [c for c in step.checks if c.visibility != "visible"]
        for check in step.checks:
            if check in hidden:
                continue
            kind = str(getattr(check, "kind", "?"))
            lines.append(tr("explain.check", lang, id=check.id, title=check.title.get(lang),
                            points=_count("points", check.points, lang), kind=kind))
            description = tr(f"kind.{kind}", lang)  # every kind registers one (tests/unit/test_i18n.py)
            settings = _fields(check)
            lines.append(tr("explain.what", lang,
                            description=description + (f" ({settings})" if settings else "")))
            question = getattr(check, "question", None)
            if question is not None:
                lines.append(tr("explain.question", lang, question=question.get(lang)))
                choices = "  ".join(f"{c.id}) {c.text.get(lang)}" for c in getattr(check, "choices", []))
                lines.append(tr("explain.choices", lang, choices=choices))
            if check.depends_on:
                lines.append(tr("explain.needs", lang, deps=", ".join(check.depends_on)))
            if check.hint:
                lines.append(tr("explain.hint", lang, hint=check.hint.get(lang)))
        if hidden:
            lines.append(tr("explain.hidden", lang, count=len(hidden),
                            points=_points(sum(c.points for c in hidden))))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
