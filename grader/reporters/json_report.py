"""The whole run as stable JSON (`schema_version` 1) for scripts, gradebooks and LMS plugins.

Keys never change meaning within a schema version; new keys may be added. Titles, messages and
hints are in `options.lang` (`lang` says which). Everything that came from the cluster is cleaned
and bounded (see `labcheck.reporters.safe`), so the output is valid UTF-8 of bounded size whatever a
container logged.
"""

from __future__ import annotations

import json
import math
from typing import Any

from labcheck.core.i18n import Lang, Text
from labcheck.core.results import CheckResult, RunResult, StepResult, localized
from labcheck.reporters import ReportOptions
from labcheck.reporters.safe import clean, clean_map

SCHEMA_VERSION = 1
ID_LIMIT = 200
TITLE_LIMIT = 500
MESSAGE_LIMIT = 2000
HINT_LIMIT = 4000
VALUE_LIMIT = 2000
MAX_ITEMS = 50


def number(value: float) -> int | float:
    """Whole numbers as JSON integers, others rounded to 3 places; never NaN or Infinity."""
    value = float(value)
    if not math.isfinite(value):
        return 0
    rounded = round(value, 3)
    return int(rounded) if rounded.is_integer() else rounded


def _text(value: Text | None, lang: Lang, limit: int, *, newlines: bool = False) -> str | None:
    return None if value is None else clean(value.get(lang), limit, newlines=newlines)


def check_json(check: CheckResult, lang: Lang) -> dict[str, Any]:
    return {
        "id": clean(check.check_id, ID_LIMIT),
        "kind": clean(check.kind, ID_LIMIT),
        "title": _text(check.title, lang, TITLE_LIMIT),
        "status": check.outcome.value,
        "points": number(check.points),
        "score": number(check.score),
        "graded": check.graded,
        "visibility": check.visibility,
        "message": _text(check.message, lang, MESSAGE_LIMIT),
        "message_id": check.message_id,
        "expected": clean_map(localized(check.expected, lang), VALUE_LIMIT, max_items=MAX_ITEMS),
        "actual": clean_map(localized(check.actual, lang), VALUE_LIMIT, max_items=MAX_ITEMS),
        "evidence": clean_map(check.evidence, VALUE_LIMIT, max_items=MAX_ITEMS),
        "hint": _text(check.hint, lang, HINT_LIMIT, newlines=True),
        "remembered": bool(check.remembered),  # from the learner's progress file, not the cluster now
        "passed_at": check.remembered or None,
        "attempts": check.attempts,
        "duration_s": number(check.duration_s),
    }


def step_json(step: StepResult, lang: Lang) -> dict[str, Any]:
    return {
        "id": clean(step.step_id, ID_LIMIT),
        "title": _text(step.title, lang, TITLE_LIMIT),
        "score": number(step.score),
        "max_score": number(step.max_score),
        "total_points": number(step.total_points),
        "ungraded_points": number(step.ungraded_points),
        "status": step.outcome.value,
        "hidden_checks": step.hidden_checks,
        "hidden_points": number(step.hidden_points),
        "checks": [check_json(check, lang) for check in step.checks],
    }


def report_json(result: RunResult, lang: Lang) -> dict[str, Any]:
    """The report as plain data (what `render` serialises)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "lang": lang,
        "labcheck_version": result.labcheck_version,
        "scenario_digest": result.scenario_digest,
        "lab": {"id": clean(result.lab_id, ID_LIMIT), "title": _text(result.lab_title, lang, TITLE_LIMIT)},
        "context": clean(result.context, ID_LIMIT),
        "cluster": clean(result.cluster, ID_LIMIT),
        "namespace": clean(result.namespace, ID_LIMIT),
        "started_at": clean(result.started_at, 64),
        "duration": number(result.duration_s),
        "score": number(result.score),
        "max_score": number(result.max_score),
        "percent": round(result.percent, 1),
        "pass_threshold": number(result.pass_threshold),
        "passed": result.passed,
        "outcome": result.outcome.value,
        "exit_code": int(result.exit_code),
        "ungraded_points": number(result.ungraded_points),
        "cluster_problem": _text(result.cluster_problem, lang, MESSAGE_LIMIT),
        "identity": clean_map(result.identity, VALUE_LIMIT, max_items=MAX_ITEMS),
        "steps": [step_json(step, lang) for step in result.steps],
    }


def render(result: RunResult, options: ReportOptions) -> str:
    return json.dumps(report_json(result, options.lang), ensure_ascii=False, indent=2,
                      allow_nan=False) + "\n"
