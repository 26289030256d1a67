"""The student report: what passes, what is wrong (expected vs actual), what is not done yet, how to fix it.

    Pods (pods)
    context: kind-kind  cluster: kind-kind  namespace: default

    step-04  Expose the Pod with a Service                           2/5
      ✓ Service my-first-service exists                              2/2
      ✗ Service type is NodePort                                     0/2
          the Service has the wrong type
          expected: type=NodePort
          actual: type=ClusterIP
          hint: kubectl expose pod ... --type=NodePort
      … Service has ready endpoints                                  0/1

    2/5 points (40%) — not yet
    3 passed · 1 failed · 1 not done yet

Colour only when `options.color`; without it the output has no escape sequence at all.
"""

from __future__ import annotations

import unicodedata

from labcheck.core.i18n import Lang
from labcheck.core.results import CheckResult, Outcome, RunResult, StepResult, localized
from labcheck.reporters import ReportOptions
from labcheck.reporters.labels import SYMBOLS, kv, label, num, percent, shows_hint, ungraded_lines
from labcheck.reporters.safe import clean

WIDTH = 72  # where scores line up
VALUE_LIMIT = 300  # per expected/actual value
MESSAGE_LIMIT = 500
HINT_LIMIT = 2000

_COLORS: dict[Outcome, str] = {
    Outcome.PASSED: "32",  # green
    Outcome.FAILED: "31",  # red
    Outcome.PENDING: "33",  # yellow
    Outcome.ERROR: "35",  # magenta
    Outcome.SKIPPED: "2",  # dim
}
_ORDER = (Outcome.PASSED, Outcome.FAILED, Outcome.PENDING, Outcome.ERROR, Outcome.SKIPPED)


class _Style:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color and text else text


def width(text: str) -> int:
    """Columns `text` takes in a terminal (CJK characters take two)."""
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
               for ch in text)


def _line(left: str, right: str, indent: int) -> str:
    """`left` and `right` with `right` ending at column WIDTH (left is cut to fit)."""
    room = WIDTH - indent - width(right) - 2
    if width(left) > room:
        while left and width(left) > room - 1:
            left = left[:-1]
        left += "…"
    return left + " " * (room - width(left) + 2) + right


def _fraction(score: float, max_score: float, total: float, lang: Lang) -> str:
    """`3/5`, or `1/2 (+3 ungraded)` when some points could not be graded."""
    text = f"{num(score)}/{num(max_score)}"
    if total - max_score > 1e-9:
        text += f" (+{num(total - max_score)} {label('ungraded_mark', lang)})"
    return text


def _details(check: CheckResult, lang: Lang, verbose: bool) -> list[str]:
    lines: list[str] = []
    message = clean(check.message.get(lang), MESSAGE_LIMIT)
    if message:
        lines.append(message)
    if check.outcome is not Outcome.PASSED:
        expected = {clean(k, 80): clean(v, VALUE_LIMIT) for k, v in localized(check.expected, lang).items()}
        actual = {clean(k, 80): clean(v, VALUE_LIMIT) for k, v in localized(check.actual, lang).items()}
        if expected:
            lines.append(kv("expected", ", ".join(f"{k}={v}" for k, v in expected.items()), lang))
        if actual or expected:
            # the fields that matter: the expected ones first, in the same order, then the rest
            keys = [k for k in expected if k in actual] + [k for k in actual if k not in expected]
            shown = [f"{k}={actual[k]}" for k in keys]
            shown += [f"{k}={label('absent', lang)}" for k in expected if k not in actual]
            lines.append(kv("actual", ", ".join(shown) or label("absent", lang), lang))
        if check.hint is not None and shows_hint(check):
            hint = clean(check.hint.get(lang), HINT_LIMIT, newlines=True)
            if hint:
                first, *rest = hint.split("\n")
                lines.append(kv("hint", first, lang))
                lines += ["  " + more for more in rest]
    if verbose:
        if check.evidence:
            evidence = ", ".join(f"{clean(k, 80)}={clean(v, VALUE_LIMIT)}" for k, v in check.evidence.items())
            lines.append(kv("evidence", evidence, lang))
        lines.append(label("attempts", lang, attempts=check.attempts, seconds=num(check.duration_s)))
    return lines


def _step(step: StepResult, lang: Lang, style: _Style, verbose: bool) -> list[str]:
    head = _line(f"{clean(step.step_id, 60)}  {clean(step.title.get(lang), 200)}",
                 _fraction(step.score, step.max_score, step.total_points, lang), 0)
    lines = [style(head, "1")]
    for check in step.checks:
        symbol = style(SYMBOLS[check.outcome], _COLORS[check.outcome])
        score = f"-/{num(check.points)}" if not check.graded else f"{num(check.score)}/{num(check.points)}"
        row = _line(clean(check.title.get(lang), 200) or clean(check.check_id, 80), score, 4)
        lines.append(f"  {symbol} {row}")
        if check.outcome is not Outcome.PASSED or verbose or check.remembered:
            lines += ["      " + detail for detail in _details(check, lang, verbose)]
    if step.hidden_checks:
        lines.append("  · " + label("hidden", lang, count=step.hidden_checks, points=num(step.hidden_points)))
    return lines


def _header(result: RunResult, lang: Lang, style: _Style) -> list[str]:
    title = clean(result.lab_title.get(lang), 200)
    lines = [style(f"{title} ({clean(result.lab_id, 80)})" if title else clean(result.lab_id, 80), "1")]
    where = [kv(name, clean(value, 200), lang) for name, value in
             (("context", result.context), ("cluster", result.cluster), ("namespace", result.namespace))
             if value]
    if where:
        lines.append("  ".join(where))
    return lines


def _footer(result: RunResult, lang: Lang, style: _Style) -> list[str]:
    checks = result.checks
    if not checks and result.cluster_problem is None:
        return [label("no_checks", lang)]
    verdict = label("verdict.passed" if result.passed else "verdict.not_yet", lang)
    summary = label("summary", lang, score=num(result.score), max=num(result.max_score),
                    percent=percent(result.percent), verdict=verdict)
    lines = [style(summary, "1;32" if result.passed else "1")]
    counts = [label(f"count.{o.value}", lang, n=n) for o in _ORDER
              if (n := sum(1 for c in checks if c.outcome is o))]
    if counts:
        lines.append(" · ".join(counts))
    if result.ungraded_points or result.cluster_problem is not None:
        *why, note = ungraded_lines(result, lang)
        lines += [style(clean(line, MESSAGE_LIMIT), "35") for line in why] + [note]
    remembered = sum(1 for c in checks if c.remembered)
    if remembered:
        lines.append(label("remembered", lang, n=remembered))
    left = [clean(c.check_id, 80) for c in checks if c.outcome in (Outcome.FAILED, Outcome.PENDING)]
    if left:
        lines.append(label("left", lang, checks=", ".join(left)))
    elif result.passed and all(c.outcome is Outcome.PASSED for c in checks):
        lines.append(style(label("all_done", lang), "32"))
    return lines


def render(result: RunResult, options: ReportOptions) -> str:
    lang, style = options.lang, _Style(options.color)
    lines = _header(result, lang, style)
    for step in result.steps:
        lines += ["", *_step(step, lang, style, options.verbose)]
    lines += ["", *_footer(result, lang, style)]
    return "\n".join(lines) + "\n"


__all__ = ["render", "width"]
