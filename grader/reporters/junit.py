"""JUnit XML for CI servers and LMSes: one testsuite per step, one testcase per check.

    failed  -> <failure type="failed">   message, expected vs actual, hint
    pending -> <failure type="pending">  not done yet is not passed, for a gradebook
    error   -> <error type="error">      the cluster could not answer (ungraded)
    skipped -> <skipped>                 a check it depends on did not pass

Every string goes through `safe.clean_xml` first, so a hostile log (`]]>`, NUL, escape sequences,
lone surrogates, megabytes) still yields well-formed XML that validates against
`grader/data/junit.xsd`.
"""

from __future__ import annotations

import math
from importlib.resources import files
from pathlib import Path

from junit_xml import TestCase, TestSuite, to_xml_report_string

from labcheck.core.i18n import Lang
from labcheck.core.results import CheckResult, Outcome, RunResult, StepResult, localized
from labcheck.reporters import ReportOptions
from labcheck.reporters.labels import kv, label, num, outcome_word, shows_hint
from labcheck.reporters.safe import clean_map, clean_xml

ID_LIMIT = 200
TITLE_LIMIT = 300
MESSAGE_LIMIT = 1000
VALUE_LIMIT = 1000
BODY_LIMIT = 8000
MAX_ITEMS = 30


def schema_path() -> Path:
    """The bundled JUnit XSD this reporter's output validates against."""
    return Path(str(files("labcheck") / "data" / "junit.xsd"))


def _seconds(value: float) -> float:
    """Durations rounded to milliseconds (so sums never print as `1e-05`); 0 for nonsense."""
    value = float(value)
    return round(value, 3) if math.isfinite(value) and value > 0 else 0.0


def _pairs(values: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in values.items())


def _body(check: CheckResult, lang: Lang, verbose: bool) -> str:
    """The failure/error text: message, expected vs actual, hint (and evidence when verbose)."""
    lines = [clean_xml(check.message.get(lang), MESSAGE_LIMIT, newlines=False)]
    expected = clean_map(localized(check.expected, lang), VALUE_LIMIT, max_items=MAX_ITEMS, xml=True)
    actual = clean_map(localized(check.actual, lang), VALUE_LIMIT, max_items=MAX_ITEMS, xml=True)
    if expected:
        lines.append(kv("expected", _pairs(expected), lang))
    if actual or expected:
        lines.append(kv("actual", _pairs(actual) or label("absent", lang), lang))
    if check.hint is not None and shows_hint(check):
        lines.append(kv("hint", clean_xml(check.hint.get(lang), BODY_LIMIT // 2), lang))
    evidence = clean_map(check.evidence, VALUE_LIMIT, max_items=MAX_ITEMS, xml=True)
    if verbose and evidence:
        lines.append(kv("evidence", _pairs(evidence), lang))
    return clean_xml("\n".join(line for line in lines if line), BODY_LIMIT)


def _case(lab_id: str, step: StepResult, check: CheckResult, lang: Lang, verbose: bool) -> TestCase:
    title = clean_xml(check.title.get(lang), TITLE_LIMIT, newlines=False)
    check_id = clean_xml(check.check_id, ID_LIMIT, newlines=False)
    case = TestCase(
        name=label("junit.case", lang, id=check_id, title=title) if title else check_id,
        classname=f"{lab_id}.{clean_xml(step.step_id, ID_LIMIT, newlines=False)}",
        elapsed_sec=_seconds(check.duration_s),
    )
    outcome = check.outcome
    if outcome is Outcome.PASSED:
        if check.remembered:  # counted from the learner's progress file: say so where a CI shows output
            case.stdout = clean_xml(check.message.get(lang), MESSAGE_LIMIT, newlines=False)
        return case
    message = clean_xml(check.message.get(lang), MESSAGE_LIMIT, newlines=False) or outcome_word(outcome, lang)
    body = _body(check, lang, verbose)
    if outcome in (Outcome.FAILED, Outcome.PENDING):
        case.add_failure_info(message=message, output=body, failure_type=outcome.value)
    elif outcome is Outcome.ERROR:
        case.add_error_info(message=message, output=body, error_type=outcome.value)
    else:
        case.add_skipped_info(message=message, output=body if verbose else None)
    return case


def _suite(result: RunResult, index: int, step: StepResult, lang: Lang, verbose: bool) -> TestSuite:
    lab_id = clean_xml(result.lab_id, ID_LIMIT, newlines=False)
    properties = {
        "lab": lab_id,
        "title": clean_xml(step.title.get(lang), TITLE_LIMIT, newlines=False),
        "score": num(step.score),
        "max_score": num(step.max_score),
        "total_points": num(step.total_points),
        "ungraded_points": num(step.ungraded_points),
        "status": step.outcome.value,
        "context": clean_xml(result.context, ID_LIMIT, newlines=False),
        "namespace": clean_xml(result.namespace, ID_LIMIT, newlines=False),
    }
    if result.scenario_digest:
        properties["scenario_digest"] = clean_xml(result.scenario_digest, ID_LIMIT, newlines=False)
    if result.cluster_problem is not None:
        properties["cluster_problem"] = clean_xml(result.cluster_problem.get(lang), MESSAGE_LIMIT,
                                                  newlines=False)
    return TestSuite(
        name=clean_xml(step.step_id, ID_LIMIT, newlines=False),
        test_cases=[_case(lab_id, step, check, lang, verbose) for check in step.checks],
        hostname=clean_xml(result.cluster, ID_LIMIT, newlines=False) or None,
        id=str(index),
        package=lab_id,
        timestamp=clean_xml(result.started_at, 64, newlines=False) or None,
        properties=properties,
    )


def _problem_suite(result: RunResult, lang: Lang) -> TestSuite:
    """When the cluster could not be used and no step ran: one error, so an LMS does not see a pass."""
    lab_id = clean_xml(result.lab_id, ID_LIMIT, newlines=False)
    message = clean_xml(result.cluster_problem.get(lang) if result.cluster_problem else "",
                        MESSAGE_LIMIT, newlines=False) or outcome_word(Outcome.ERROR, lang)
    case = TestCase(name=label("cluster", lang), classname=f"{lab_id}.cluster")
    case.add_error_info(message=message, output=message, error_type=Outcome.ERROR.value)
    return TestSuite(name=lab_id, test_cases=[case], id="0", package=lab_id,
                     properties={"lab": lab_id, "score": "0", "max_score": "0"})


def render(result: RunResult, options: ReportOptions) -> str:
    suites = [_suite(result, index, step, options.lang, options.verbose)
              for index, step in enumerate(result.steps)]
    if not suites and result.cluster_problem is not None:
        suites = [_problem_suite(result, options.lang)]
    xml: str = to_xml_report_string(suites, prettyprint=True)
    return xml if xml.endswith("\n") else xml + "\n"
