"""The reporters, on RunResults built by hand: every outcome, both languages, hostile cluster text."""

from __future__ import annotations

import json
import re
import string
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
import xmlschema

from labcheck.core.i18n import Lang, Text
from labcheck.core.results import CheckResult, ExitCode, Outcome, RunResult, StepResult
from labcheck.reporters import REPORTERS, ReportOptions
from labcheck.reporters.labels import MESSAGES, SYMBOLS
from labcheck.reporters.safe import clean, clean_map, clean_xml
from labcheck.reporters.text import WIDTH, width

ROOT = Path(__file__).resolve().parents[2]
XSD = ROOT / "grader" / "data" / "junit.xsd"
HOSTILE = "</failure>]]>&<\x1b[31mRED\x1b[0m\x1b]0;pwned\x07\x1b[2J\x00\x07\ud800\udfff\u202eevil"
BIG_LOG = ("line of log output \x1b[1mbold\x1b[0m\n" * 200_000)[:5_000_000]
LANGS: tuple[Lang, ...] = ("en", "zh")
TOP_KEYS = {"schema_version", "lab", "context", "namespace", "started_at", "duration", "score", "max_score",
            "percent", "passed", "outcome", "exit_code", "ungraded_points", "cluster_problem", "identity",
            "steps"}
STEP_KEYS = {"id", "title", "score", "max_score", "status", "checks"}
CHECK_KEYS = {"id", "kind", "title", "status", "points", "score", "graded", "message", "message_id", "expected", "actual",
              "remembered", "passed_at",
              "evidence", "hint", "attempts", "duration_s", "visibility"}


def check(check_id: str, outcome: Outcome, points: float = 1.0, step: str = "step-04",
          **kw: Any) -> CheckResult:
    defaults: dict[str, Any] = {
        "kind": "pod_state",
        "title": Text(zh=f"检查{check_id}", en=f"Check {check_id}"),
        "hint": Text(zh="运行 kubectl get pods 看看", en="run kubectl get pods"),
        "message": Text(zh=f"{check_id} 的说明", en=f"about {check_id}"),
        "graded": outcome is not Outcome.ERROR,
    }
    defaults.update(kw)
    return CheckResult(step_id=step, check_id=check_id, points=points, outcome=outcome, **defaults)


def run(*steps: StepResult, problem: Text | None = None) -> RunResult:
    return RunResult(lab_id="pods", lab_title=Text(zh="Pod 实验", en="Pods"), steps=steps, pass_threshold=0.8,
                     context="kind-kind", cluster="kind-kind", namespace="lab1", labcheck_version="0.1.0",
                     started_at="2024-05-01T10:00:00Z", duration_s=3.25, cluster_problem=problem,
                     identity={"server": "https://127.0.0.1:6443"})


def all_outcomes() -> RunResult:
    step4 = StepResult("step-04", Text(zh="暴露 Pod", en="Expose the Pod"), (
        check("svc-exists", Outcome.PASSED, 2, duration_s=0.25),
        check("svc-type", Outcome.FAILED, 2, expected={"type": "NodePort", "port": "80"},
              actual={"type": "ClusterIP", "port": "80"}),
        check("endpoints", Outcome.PENDING, actual={"ready": "0"}),
        check("http", Outcome.ERROR, attempts=3, duration_s=1.5,
              message=Text(zh="集群无法应答（超时）", en="the cluster could not answer (timeout)")),
        check("logs", Outcome.SKIPPED, message=Text(zh="已跳过：需要先通过 http", en="skipped: needs http")),
    ))
    step5 = StepResult("step-05", Text(zh="日志", en="Logs"), (
        check("log-line", Outcome.ERROR, step="step-05"),
    ))
    return run(step4, step5, problem=Text(zh="无法连接集群", en="cannot reach the cluster"))


def hostile() -> RunResult:
    step = StepResult("step-06", Text(zh=f"敌意{HOSTILE}", en=f"hostile {HOSTILE}"), (
        check("failed", Outcome.FAILED, message=Text.same(HOSTILE), expected={"log": "hello"},
              actual={"log": BIG_LOG, HOSTILE: HOSTILE}, evidence={"log": BIG_LOG}, hint=Text.same(HOSTILE)),
        check("pending", Outcome.PENDING, message=Text.same(BIG_LOG), title=Text.same(BIG_LOG)),
        check("error", Outcome.ERROR, message=Text.same(HOSTILE + BIG_LOG)),
        check("skipped", Outcome.SKIPPED, message=Text.same(HOSTILE)),
        check(HOSTILE, Outcome.PASSED, evidence={"x": HOSTILE}),
    ))
    return run(step, problem=Text.same(HOSTILE))


def render(name: str, result: RunResult, lang: Lang = "en", **kw: bool) -> str:
    return REPORTERS[name](result, ReportOptions(lang=lang, **kw))


# --- labels ---------------------------------------------------------------------------------------


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_label_exists_in_both_languages_with_the_same_fields() -> None:
    for key, entry in MESSAGES.items():
        assert key.startswith("report."), key
        assert entry["en"].strip() and entry["zh"].strip(), key
        assert _fields(entry["en"]) == _fields(entry["zh"]), key
    assert all(f"report.outcome.{o.value}" in MESSAGES for o in Outcome)
    assert all(f"report.count.{o.value}" in MESSAGES for o in Outcome)
    assert set(SYMBOLS) == set(Outcome)


def test_reporters_use_only_registered_labels_and_no_hard_coded_chinese() -> None:
    used: set[str] = set()
    for path in (ROOT / "grader" / "reporters").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        used |= {f"report.{k}" for k in re.findall(r"""\b(?:label|kv)\(\s*["']([a-z_.]+)["']""", source)}
        used |= {f"report.{k}" for k in re.findall(r"""label\(\s*"(verdict\.\w+)" if""", source)}
        if path.name != "labels.py":
            assert not re.search(r"[\u4e00-\u9fff]", source.split('"""', 2)[-1]), path.name
    assert used, "no label calls found"
    assert used <= set(MESSAGES), used - set(MESSAGES)


def test_registry_names_match_the_cli() -> None:
    assert {"text", "json", "junit"} <= set(REPORTERS)
    cli = (ROOT / "grader" / "cli.py").read_text(encoding="utf-8")
    choices = re.search(r'"--output".*?Choice\(\[(.*?)\]\)', cli, re.S)
    assert choices is not None
    assert set(re.findall(r'"(\w+)"', choices.group(1))) <= set(REPORTERS)


# --- text -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_text_report_plain_has_no_escape_and_every_symbol(lang: Lang) -> None:
    out = render("text", all_outcomes(), lang)
    assert "\x1b" not in out
    for outcome, symbol in SYMBOLS.items():
        assert re.search(rf"^  {re.escape(symbol)} ", out, re.M), outcome
    assert "Pods (pods)" in out or "Pod 实验 (pods)" in out
    assert "kind-kind" in out and "lab1" in out
    assert re.search(r"^  ✓ .*2/2$", out, re.M) and re.search(r"^  ✗ .*0/2$", out, re.M)
    assert re.search(r"^  ! .*-/1$", out, re.M)


def test_text_report_labels_in_english() -> None:
    out = render("text", all_outcomes(), "en")
    assert "expected: type=NodePort, port=80" in out
    assert "actual: type=ClusterIP, port=80" in out
    assert "hint: run kubectl get pods" in out
    assert "2/6 points (33.3%) — not yet" in out
    assert "2 point(s) ungraded because the cluster could not answer: cannot reach the cluster" in out
    assert "still to do: svc-type, endpoints" in out
    assert "提示" not in out


def test_text_report_labels_in_chinese() -> None:
    out = render("text", all_outcomes(), "zh")
    assert "期望：type=NodePort, port=80" in out
    assert "实际：type=ClusterIP, port=80" in out
    assert "提示：运行 kubectl get pods 看看" in out
    assert "2/6 分（33.3%）— 尚未通过" in out
    assert "2 分未评分，因为集群无法应答：无法连接集群" in out
    assert "hint:" not in out and "expected" not in out


def test_text_report_scores_line_up_with_wide_characters() -> None:
    out = render("text", all_outcomes(), "zh")
    rows = [line for line in out.splitlines() if re.match(r"^  [✓✗…!↷] ", line)]
    assert len(rows) == 6
    assert {width(row) for row in rows} == {WIDTH}


def test_text_report_colour_only_when_asked() -> None:
    out = render("text", all_outcomes(), "en", color=True)
    assert "\x1b[32m✓\x1b[0m" in out and "\x1b[31m✗\x1b[0m" in out
    hostile_out = render("text", hostile(), "en", color=True)
    assert "\x1b]0;" not in hostile_out and "\x1b[2J" not in hostile_out and "RED" in hostile_out


def test_text_report_passing_run_and_verbose() -> None:
    result = run(StepResult("step-02", Text.same("Pod"), (
        check("pod", Outcome.PASSED, 3, evidence={"uid": "1234"}, attempts=2, duration_s=1.25),)))
    assert result.exit_code is ExitCode.OK
    out = render("text", result, "en")
    assert "3/3 points (100%) — passed" in out and "Well done" in out and "uid" not in out
    verbose = render("text", result, "en", verbose=True)
    assert "evidence: uid=1234" in verbose and "2 look(s) in 1.25s" in verbose
    assert "做得好" in render("text", result, "zh")


def test_text_report_cluster_problem_without_steps() -> None:
    out = render("text", run(problem=Text(zh="集群不可用", en="cluster is down")), "en")
    assert "0/0 points (0%) — not yet" in out and "cluster is down" in out


# --- JSON -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_json_report_round_trips_with_the_documented_keys(lang: Lang) -> None:
    result = all_outcomes()
    out = render("json", result, lang)
    report = json.loads(out)
    assert set(report) >= TOP_KEYS
    assert report["schema_version"] == 1 and report["lang"] == lang
    assert report["lab"] == {"id": "pods", "title": result.lab_title.get(lang)}
    assert (report["score"], report["max_score"], report["ungraded_points"]) == (2, 6, 2)
    assert report["percent"] == 33.3 and report["passed"] is False
    assert report["outcome"] == "error" and report["exit_code"] == 2
    assert report["cluster_problem"] == result.cluster_problem.get(lang)  # type: ignore[union-attr]
    assert report["identity"] == {"server": "https://127.0.0.1:6443"}
    assert [s["id"] for s in report["steps"]] == ["step-04", "step-05"]
    for step in report["steps"]:
        assert set(step) >= STEP_KEYS
        for c in step["checks"]:
            assert set(c) == CHECK_KEYS
    checks = report["steps"][0]["checks"]
    assert {c["id"]: c["status"] for c in checks} == {
        "svc-exists": "passed", "svc-type": "failed", "endpoints": "pending", "http": "error",
        "logs": "skipped"}
    assert checks[1]["expected"] == {"type": "NodePort", "port": "80"}
    assert checks[1]["title"] == result.steps[0].checks[1].title.get(lang)
    assert checks[3]["graded"] is False and checks[3]["attempts"] == 3 and checks[3]["duration_s"] == 1.5
    assert ("Expose the Pod" in out) == (lang == "en") and ("暴露 Pod" in out) == (lang == "zh")
    assert "\\u" not in out  # ensure_ascii=False: Chinese stays readable


# --- JUnit ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(XSD))


def _counts(suite: ET.Element) -> tuple[int, int, int]:
    cases = suite.findall("testcase")
    return (sum(len(c.findall("failure")) for c in cases), sum(len(c.findall("error")) for c in cases),
            sum(len(c.findall("skipped")) for c in cases))


@pytest.mark.parametrize("lang", LANGS)
def test_junit_validates_and_counts_match(lang: Lang, schema: xmlschema.XMLSchema) -> None:
    out = render("junit", all_outcomes(), lang)
    schema.validate(out)
    root = ET.fromstring(out)
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["step-04", "step-05"]
    step4, step5 = suites
    assert _counts(step4) == (2, 1, 1)
    assert (step4.get("failures"), step4.get("errors"), step4.get("skipped"), step4.get("tests")) == \
        ("2", "1", "1", "5")
    assert _counts(step5) == (0, 1, 0)
    assert (root.get("failures"), root.get("errors"), root.get("tests")) == ("2", "2", "6")
    assert step4.get("package") == "pods"
    props = {p.get("name"): p.get("value") for p in step4.iter("property")}
    assert (props["score"], props["max_score"]) == ("2", "6")
    cases = {c.get("name", "").split(":")[0].split("：")[0]: c for c in step4.findall("testcase")}
    assert all(c.get("classname") == "pods.step-04" for c in cases.values())
    assert list(cases["svc-exists"]) == []
    failed, pending = cases["svc-type"].find("failure"), cases["endpoints"].find("failure")
    assert failed is not None and pending is not None
    assert failed.get("type") == "failed" and pending.get("type") == "pending"
    assert "type=NodePort" in (failed.text or "") and "type=ClusterIP" in (failed.text or "")
    assert cases["http"].find("error") is not None and cases["http"].get("time") == "1.500"
    assert cases["logs"].find("skipped") is not None
    for case in step4.findall("testcase"):  # at most one result element, as Jenkins' junit-10 wants
        assert len([e for e in case if e.tag in ("failure", "error", "skipped")]) <= 1


def test_junit_cluster_problem_without_steps_is_an_error(schema: xmlschema.XMLSchema) -> None:
    out = render("junit", run(problem=Text.same("cannot reach the cluster")), "en")
    schema.validate(out)
    root = ET.fromstring(out)
    assert root.get("errors") == "1"
    error = root.find("testsuite/testcase/error")
    assert error is not None and error.get("message") == "cannot reach the cluster"


def test_junit_xsd_accepts_what_junit_xml_can_write(schema: xmlschema.XMLSchema) -> None:
    from junit_xml import TestCase, TestSuite, to_xml_report_string

    case = TestCase("t", "c", 1e-5, stdout="out", stderr="err", assertions=2, timestamp="now", status="s",
                    category="k", file="f.py", line=3, log="l", url="u", allow_multiple_subelements=True)
    case.add_failure_info("f", "out")
    case.add_error_info("e", "out")
    case.add_skipped_info("s", "out")
    suite = TestSuite("s", [case, TestCase("ok")], hostname="h", id="1", package="p", timestamp="t",
                      properties={"a": "b"}, file="f", log="l", url="u", stdout="o", stderr="e")
    schema.validate(to_xml_report_string([suite, TestSuite("empty")]))


# --- hostile content ------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_hostile_content_is_cleaned_and_bounded_everywhere(lang: Lang, schema: xmlschema.XMLSchema) -> None:
    result = hostile()
    for name in REPORTERS:
        out = render(name, result, lang)
        assert len(out) < 60_000, (name, len(out))
        out.encode("utf-8")  # no lone surrogates
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f\u202e]", out), name
        assert "pwned" not in out, name
    report = json.loads(render("json", result, lang))
    failed = report["steps"][0]["checks"][0]
    assert failed["actual"]["log"].endswith("…") and len(failed["actual"]["log"]) <= 2000
    assert "</failure>]]>&<RED" in failed["message"]
    junit = render("junit", result, lang)
    schema.validate(junit)
    root = ET.fromstring(junit)
    assert _counts(root.find("testsuite")) == (2, 1, 1)  # type: ignore[arg-type]
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None and "</failure>]]>&<RED" in (failure.get("message") or "")
    text = render("text", result, lang)
    assert "\x1b" not in text and "</failure>]]>&<RED" in text


def test_markdown_escapes_table_breakers() -> None:
    out = render("markdown", hostile(), "en")
    rows = [line for line in out.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) == 6  # header + 5 checks, no row split by a `|` or a newline from the cluster
    assert "</failure>" not in out and "&lt;/failure&gt;" in out
    zh = render("markdown", all_outcomes(), "zh")
    assert "期望：type=NodePort" in zh and "| 检查项 |" in zh


# --- safe -----------------------------------------------------------------------------------------


def test_clean_strips_escapes_controls_and_surrogates() -> None:
    assert clean("a\x1b[31mb\x1b[0m\x1b]0;title\x07c\x1b[2Jd\x9b1me") == "abcde"
    assert clean("x\x00\x07\x7f\x85y\u202ez") == "xyz"
    assert clean("one\r\ntwo\rthree\n\tfour") == "one two three four"
    assert clean("one\r\ntwo\tx", newlines=True) == "one\ntwo    x"
    assert clean("\ud83d\ude00 \ud800!") == "😀 \ufffd!"
    assert clean(None) == ""


def test_clean_truncates_with_an_ellipsis_and_reads_a_bounded_prefix() -> None:
    assert clean("abcdef", 4) == "abc…"
    assert clean("abcd", 4) == "abcd"
    out = clean(BIG_LOG, 100, newlines=True)
    assert len(out) == 100 and out.endswith("…") and "\x1b" not in out
    escapes = "\x1b[31m" * 1000 + "visible"
    assert clean(escapes, 10) == "…"  # only escapes in the part read: nothing to show, still marked


def test_clean_xml_removes_what_xml_forbids() -> None:
    assert clean_xml("a\ufffeb\uffffc\U0001fffed\x0be") == "abcde"
    assert clean_xml("</failure>]]>&<") == "</failure>]]>&<"
    ET.fromstring(f"<a>{escape(clean_xml(HOSTILE))}</a>")
    assert clean_map({"k\x1b[1m": "v\nw", **{f"k{i}": "v" for i in range(60)}}, max_items=3) == {
        "k": "v w", "k0": "v", "k1": "v", "…": "+58"}


def test_markdown_keeps_commands_in_hints_as_code() -> None:
    """Issue 14: hints name commands in backticks; escaped backticks rendered them as plain text."""
    hint = Text(zh="运行 `kubectl describe node <名称>` 再 `a|b`", en="Run `kubectl describe node <name>` then `a|b`")
    result = run(StepResult("step-02", Text.same("S"), (check("c", Outcome.FAILED, hint=hint),)))
    for lang, name in (("en", "name"), ("zh", "名称")):
        out = render("markdown", result, lang)
        assert f"<code>kubectl describe node &lt;{name}&gt;</code>" in out, out
        assert "<code>a\\|b</code>" in out and "\\`" not in out
        row = next(line for line in out.splitlines() if line.startswith("| ✗"))
        assert row.count(" | ") == 3  # still four cells
    lone = render("markdown", run(StepResult("s", Text.same("S"), (
        check("c", Outcome.FAILED, message=Text.same("a ` b <x>")),))), "en")
    assert "a \\` b &lt;x&gt;" in lone and "<code>" not in lone
