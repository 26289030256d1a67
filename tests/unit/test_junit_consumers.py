"""JUnit as its readers take it: Jenkins' junit-10.xsd, GitLab's parser, GitHub's reporters.

Jenkins: jenkinsci/xunit-plugin src/main/resources/org/jenkinsci/plugins/xunit/types/model/xsd/junit-10.xsd
    at 031e285ef3b60dee7aaf36e9096d7dcd95ffae83: the attributes each element may have (no `disabled`
    anywhere, no `skipped` on testsuites, no `file` on testcase), the required ones, the children, and
    the SUREFIRE_TIME pattern of testsuite/testsuites `time`. JENKINS below is that schema written out.
GitLab: gitlabhq/gitlabhq lib/gitlab/ci/reports/test_case.rb at 94823a9248837114ec84582f83b642ec45fe68ad
    keys a case by suite, classname and name, and lib/gitlab/ci/reports/test_suite.rb at
    ba0f3164d55d31dedaebd6ebda6232beb2681c86 (add_test_case) keeps one case per key.
GitHub: mikepenz/action-junit-report src/testParser.ts at 0289ec72cf62bdcb8725cc4809ba361c1969a362 takes
    a case's file from testcase@file, else failure@file, else testsuite@file.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema

from labcheck.batch.outputs import class_junit
from labcheck.core.record import replace
from labcheck.core.results import Outcome, RunResult
from labcheck.reporters import REPORTERS, ReportOptions
from tests.unit.test_batch_helpers import make_run
from tests.unit.test_gradebook_lms import records

XSD = Path(__file__).resolve().parents[2] / "grader" / "data" / "junit.xsd"
SUREFIRE_TIME = re.compile(r"(([0-9]{0,3},)*[0-9]{3}|[0-9]{0,3})*(\.[0-9]*)?")

# element: (allowed attributes, required attributes, allowed children)
JENKINS: dict[str, tuple[set[str], set[str], set[str]]] = {
    "testsuites": ({"name", "time", "tests", "failures", "errors"}, set(), {"testsuite"}),
    "testsuite": ({"name", "tests", "failures", "errors", "group", "time", "skipped", "timestamp", "hostname",
                   "id", "package", "file", "log", "url"}, {"name", "tests", "failures", "errors"},
                  {"testsuite", "properties", "testcase", "system-out", "system-err"}),
    "properties": (set(), set(), {"property"}),
    "property": ({"name", "value"}, {"name", "value"}, set()),
    "testcase": ({"name", "time", "classname", "group"}, {"name"},
                 {"skipped", "error", "failure", "rerunFailure", "rerunError", "flakyFailure", "flakyError",
                  "system-out", "system-err"}),
    "failure": ({"type", "message"}, set(), set()),
    "error": ({"type", "message"}, set(), set()),
    "skipped": ({"type", "message"}, set(), set()),
    "system-out": (set(), set(), set()),  # text only
    "system-err": (set(), set(), set()),
}
TIMED = ("testsuites", "testsuite")  # SUREFIRE_TIME; testcase time is a plain string there


def jenkins_problems(text: str) -> list[str]:
    problems = []
    root = ET.fromstring(text)
    if root.tag not in ("testsuites", "testsuite"):
        problems.append(f"root <{root.tag}>")
    for element in root.iter():
        allowed, required, children = JENKINS.get(element.tag, (set(), set(), set()))
        if element.tag not in JENKINS:
            problems.append(f"<{element.tag}> is not in junit-10.xsd")
        problems += [f"<{element.tag} {a}=...> not allowed" for a in set(element.attrib) - allowed]
        problems += [f"<{element.tag}> needs {a}" for a in required - set(element.attrib)]
        problems += [f"<{child.tag}> inside <{element.tag}>" for child in element if child.tag not in children]
        if element.tag in TIMED and "time" in element.attrib \
                and not SUREFIRE_TIME.fullmatch(element.attrib["time"]):
            problems.append(f"<{element.tag} time={element.attrib['time']!r}> fails SUREFIRE_TIME")
    return problems


def noisy(run: RunResult) -> RunResult:
    """Durations whose sum is float noise (0.1 + 0.2 ...), checks that overlap in time."""
    steps = []
    for step in run.steps:
        checks = tuple(replace(c, duration_s=0.1 + 0.2 * i, offset_s=0.05 * i)
                       for i, c in enumerate(step.checks))
        steps.append(replace(step, checks=checks, file=f"scenarios/pods/{step.step_id}.yaml"))
    return replace(run, steps=tuple(steps), duration_s=15.056999999999999)


def student_report(run: RunResult) -> str:
    return REPORTERS["junit"](run, ReportOptions(lang="en"))


@pytest.mark.parametrize("outcome", list(Outcome))
def test_student_report_keeps_to_jenkins_junit10(outcome: Outcome) -> None:
    text = student_report(noisy(make_run(default=outcome)))
    assert jenkins_problems(text) == []
    xmlschema.XMLSchema(str(XSD)).validate(text)
    assert "disabled" not in text


def test_times_are_milliseconds_and_suites_are_wall_time() -> None:
    run = noisy(make_run())
    root = ET.fromstring(student_report(run))
    assert root.get("time") == "15.057"
    for element in root.iter():
        if "time" in element.attrib:
            assert re.fullmatch(r"[0-9]+\.[0-9]{3}", element.attrib["time"]), element.attrib
    for suite, step in zip(root.findall("testsuite"), run.steps, strict=True):
        wall = max(c.offset_s + c.duration_s for c in step.checks) - min(c.offset_s for c in step.checks)
        assert suite.get("time") == f"{wall:.3f}"
        assert float(suite.get("time", "0")) < sum(c.duration_s for c in step.checks)  # not a sum


def test_step_yaml_is_the_suite_file_github_reporters_read() -> None:
    root = ET.fromstring(student_report(make_run()))  # make_run sets it as the runner does
    assert [s.get("file") for s in root.findall("testsuite")] == \
        ["scenarios/pods/step-02.yaml", "scenarios/pods/step-04.yaml"]
    assert all(c.get("file") is None for c in root.iter("testcase"))  # not allowed there by junit-10


def test_class_file_keeps_to_jenkins_and_every_case_is_unique() -> None:
    recs = records()
    text = class_junit(recs, "en")
    assert jenkins_problems(text) == []
    xmlschema.XMLSchema(str(XSD)).validate(text)
    root = ET.fromstring(text)
    pairs = [(c.get("classname"), c.get("name")) for c in root.iter("testcase")]
    assert len(pairs) == len(set(pairs)) == sum(len(r.run.checks) for r in recs)
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [r.id for r in recs]
    for suite, record in zip(suites, recs, strict=True):
        assert {c.get("classname") for c in suite.iter("testcase")} == \
            {f"{record.id}.pods.{s.step_id}" for s in record.run.steps}
    # students graded in parallel: the run's time is the span from first start to last end, not a sum
    assert root.get("time") == "1.500"
    assert "disabled" not in text and root.get("skipped") is None
