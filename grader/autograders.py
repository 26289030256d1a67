"""Per-student results files for autograder hosts: Gradescope results.json, PrairieLearn results.json.

Gradescope: gradescope/autograder_samples docs/specs.md (47aed8f8211d8101e86d38538e0306ad6d96b92c):
top-level `score`, `execution_time`, `output`, `tests[]` with `score`, `max_score`, `name`, `number`,
`output`, `tags`, `visibility`; plus `status` and `output_format` of the current specification.
PrairieLearn external grading: /grade/results/results.json with `gradable`, `score` (a fraction
0-1) and `tests[]` with `name`, `points`, `max_points`, `message`, `output`.
In both, a check the cluster could not answer never counts as a zero.
"""

from __future__ import annotations

import re
from typing import Any

from labcheck.core.i18n import Lang, register_messages, tr
from labcheck.core.results import CheckResult, Outcome, RunResult, localized
from labcheck.reporters.labels import label
from labcheck.reporters.safe import clean, clean_map

register_messages({
    "lms.ungraded": {
        "en": "ERROR: ungraded, the cluster could not answer; regrade before publishing. {message}",
        "zh": "错误：未评分，集群无法应答；发布前请重新评分。{message}",
    },
    "lms.hidden_check": {"en": "hidden check", "zh": "隐藏检查"},
})

OUTPUT_LIMIT = 4000
VALUE_LIMIT = 500
_MD = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")


def number(value: float) -> str:
    return f"{round(value, 4):g}"


def _md(text: str) -> str:
    """Literal text in Markdown (cluster content must not format or link)."""
    text = clean(text, OUTPUT_LIMIT, newlines=True)
    return _MD.sub(r"\\\1", text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def _code(values: dict[str, str]) -> str:
    pairs = ", ".join(f"{k}={v}" for k, v in clean_map(values, VALUE_LIMIT, max_items=30).items())
    return "`" + pairs.replace("`", "'") + "`"


def _markdown(c: CheckResult, lang: Lang) -> str:
    """The check's message, expected vs actual and hint, as Gradescope renders `output_format: md`."""
    lines = [_md(c.message.get(lang))]
    if not c.graded:
        lines = [_md(tr("lms.ungraded", lang, message=c.message.get(lang)))]
    elif c.outcome is not Outcome.PASSED:
        if c.expected:
            lines.append(f"- {label('expected', lang)}: {_code(localized(c.expected, lang))}")
        if c.actual or c.expected:
            actual = _code(localized(c.actual, lang)) if c.actual else "-"
            lines.append(f"- {label('actual', lang)}: {actual}")
        if c.hint is not None:
            lines.append(f"\n{label('hint', lang)}: {_md(c.hint.get(lang))}")
    return "\n".join(lines)


def step_number(step_id: str, position: int) -> int:
    """4 for `step-04` (as learners count steps); the step's position when its id has no number."""
    found = re.search(r"(\d+)$", step_id)
    return int(found.group(1)) if found else position


def gradescope_results(run: RunResult, lang: Lang) -> dict[str, Any]:
    """Gradescope autograder results.json: per-check tests whose scores add up to `score`.

    Ungraded checks count for 0 of 0 (as in labcheck's own score) and say ERROR in their output.
    """
    tests = []
    for position, step in enumerate(run.steps, 1):
        for index, c in enumerate(step.checks, 1):
            tests.append({
                "name": f"{c.step_id} {c.check_id}: {c.title.get(lang)}",
                "number": f"{step_number(step.step_id, position)}.{index}",
                "score": c.score, "max_score": c.max_score,
                "status": "passed" if c.outcome is Outcome.PASSED else "failed",
                "output": _markdown(c, lang), "output_format": "md",
                "tags": [c.step_id, c.kind], "visibility": c.visibility,
            })
    summary = f"{run.lab_title.get(lang)}: {number(run.score)}/{number(run.max_score)}"
    if run.cluster_problem is not None or run.ungraded_points > 0:
        problem = run.cluster_problem.get(lang) if run.cluster_problem else ""
        summary += "\n" + tr("lms.ungraded", lang, message=problem)
    return {
        "score": run.score,
        "execution_time": round(run.duration_s, 3),
        "output": summary,
        "tests": tests,
        "extra_data": {"lab": run.lab_id, "max_score": run.max_score,
                       "ungraded_points": run.ungraded_points, "labcheck_version": run.labcheck_version,
                       "started_at": run.started_at},
    }


def _pl_test(c: CheckResult, lang: Lang) -> dict[str, Any]:
    if not c.visible:  # PrairieLearn shows every test to the student: a hidden one keeps its points only
        name = tr("lms.hidden_check", lang)
        return {"name": name, "description": "", "points": c.score, "max_points": c.points,
                "message": "", "output": ""}
    return {"name": f"{c.step_id} {c.check_id}: {c.title.get(lang)}", "description": c.title.get(lang),
            "points": c.score, "max_points": c.points, "message": clean(c.message.get(lang), OUTPUT_LIMIT),
            "output": clean(_markdown(c, lang), OUTPUT_LIMIT, newlines=True)}


def prairielearn_results(run: RunResult, lang: Lang) -> dict[str, Any]:
    """PrairieLearn external-grading results.json. `gradable: false` when the cluster could not
    answer (nothing counted, the attempt is not used), else `score` is the fraction of the points."""
    gradable = run.cluster_problem is None and run.ungraded_points == 0
    total = sum(c.points for c in run.checks)
    tests = [_pl_test(c, lang) for c in run.checks]
    summary = f"{run.lab_title.get(lang)}: {number(run.score)}/{number(total)}"
    if not gradable:
        problem = run.cluster_problem.get(lang) if run.cluster_problem else ""
        summary = tr("lms.ungraded", lang, message=problem)
    data: dict[str, Any] = {
        "gradable": gradable,
        "score": round(run.score / total, 6) if gradable and total else 0.0,
        "message": summary,
        "tests": tests,
    }
    if not gradable:
        data["format_errors"] = [summary]
    return data


_CLASSROOM_STATUS = {Outcome.PASSED: "pass", Outcome.ERROR: "error"}


def classroom_result(run: RunResult, lang: Lang) -> dict[str, Any]:
    """GitHub Classroom's runner result (the Action's `result` output, base64 of this JSON), as
    classroom-resources/autograding-grading-reporter reads it: points are the sum of `tests[].score`
    out of `max_score`. With anything ungraded, `max_score` is 0 and `status` is error, so Classroom
    records no points at all (never a zero) and the job fails until the cluster answers."""
    gradable = run.cluster_problem is None and run.ungraded_points == 0
    tests = []
    for c in run.checks:
        visible = c.visible
        name = f"{c.step_id} {c.check_id}: {c.title.get(lang)}"
        tests.append({
            "name": name if visible else tr("lms.hidden_check", lang),
            "status": _CLASSROOM_STATUS.get(c.outcome, "fail"),
            "score": c.score,
            "message": clean(c.message.get(lang), OUTPUT_LIMIT) if visible else "",
            "test_code": "", "filename": "", "line_no": 0,
            "duration": int(round(c.duration_s * 1000)),
        })
    if not gradable:
        status = "error"
    else:
        status = "pass" if all(c.outcome is Outcome.PASSED for c in run.checks) else "fail"
    return {"version": 1, "status": status,
            "max_score": sum(c.points for c in run.checks) if gradable else 0, "tests": tests}
