"""Class outputs from plain data: gradebook and Gradescope sums, JUnit schema, HTML escaping."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import xmlschema

from labcheck.autograders import gradescope_results
from labcheck.batch.gradebook import GradebookOptions, gradebook_csv
from labcheck.batch.outputs import class_junit
from labcheck.batch.record import StudentRecord, run_from_dict, run_to_dict
from labcheck.batch.summary_html import summary_html
from labcheck.core.i18n import Text
from labcheck.core.results import Outcome
from tests.unit.test_batch_helpers import make_run

XSD = Path(__file__).resolve().parents[2] / "grader" / "data" / "junit.xsd"


def records() -> list[StudentRecord]:
    full = make_run()
    partial = make_run({"step-04/service": Outcome.FAILED, "step-04/service-answers": Outcome.SKIPPED,
                        "step-02/pod-running": Outcome.PENDING})
    broken = make_run(default=Outcome.ERROR, problem=Text.same("cannot reach the cluster"))
    half = make_run({"step-04/service2": Outcome.ERROR, "step-04/service2-answers": Outcome.ERROR})
    students = [{"id": "ana", "name": "Ana", "sis_id": "S1", "email": "ana@u.edu", "index": 0},
                {"id": "ben", "name": "Ben <script>alert(1)</script>", "sis_id": "S2", "index": 1},
                {"id": "cai", "name": "Cai & \"Co\"", "sis_id": "S3", "index": 2},
                {"id": "dee", "name": "Dee", "sis_id": "S4", "index": 3}]
    return [StudentRecord(s, r) for s, r in zip(students, [full, partial, broken, half], strict=True)]


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_gradebook_values_sums_and_errors() -> None:
    recs = records()
    full = recs[0].run
    step_max = {s.step_id: s.total_points for s in full.steps}
    table = rows(gradebook_csv(recs, GradebookOptions()))
    assert table[0] == ["id", "name", "step-02", "step-04", "total"]
    assert table[1] == ["ana", "Ana", f"{step_max['step-02']:g}", f"{step_max['step-04']:g}",
                        f"{full.max_score:g}"]
    ben = recs[1].run
    assert table[2][2:] == [f"{ben.steps[0].score:g}", f"{ben.steps[1].score:g}", f"{ben.score:g}"]
    assert float(table[2][2]) + float(table[2][3]) == float(table[2][4]) < full.max_score
    assert table[3][2:] == ["ERROR", "ERROR", "ERROR"]
    assert table[4][2] == f"{step_max['step-02']:g}" and table[4][3:] == ["ERROR", "ERROR"]
    assert all(cell != "0" for cell in table[3])


def test_gradebook_columns_for_canvas_and_empty_errors() -> None:
    options = GradebookOptions(id_column="SIS User ID", id_field="sis_id", name_column="",
                               step_column="Pods {step} ({max})", total_column="Lab 1", errors="empty",
                               points_row=True)
    table = rows(gradebook_csv(records(), options, missing=[{"id": "eve", "sis_id": "S5", "index": 4}]))
    full = records()[0].run
    assert table[0] == ["SIS User ID", f"Pods step-02 ({full.steps[0].total_points:g})",
                        f"Pods step-04 ({full.steps[1].total_points:g})", "Lab 1"]
    assert table[1] == ["Points Possible", f"{full.steps[0].total_points:g}",
                        f"{full.steps[1].total_points:g}", f"{full.max_score:g}"]
    assert [r[0] for r in table[2:]] == ["S1", "S2", "S3", "S4", "S5"]
    assert table[4][1:] == ["", "", ""] and table[6][1:] == ["", "", ""]


def test_gradescope_tests_add_up() -> None:
    for record in records():
        run = record.run
        data = gradescope_results(run, "en")
        tests = data["tests"]
        assert len(tests) == len(run.checks)
        assert abs(sum(t["score"] for t in tests) - data["score"]) < 1e-9
        assert abs(sum(t["max_score"] for t in tests) - data["extra_data"]["max_score"]) < 1e-9
        assert data["extra_data"]["max_score"] + data["extra_data"]["ungraded_points"] == \
            sum(c.points for c in run.checks)
        for t in tests:
            assert set(t) == {"name", "number", "score", "max_score", "status", "output", "output_format",
                              "tags", "visibility"}
            assert t["status"] in ("passed", "failed") and 0 <= t["score"] <= t["max_score"]
        json.dumps(data)
    broken = gradescope_results(records()[2].run, "zh")
    assert all(t["output"].startswith("错误：未评分") for t in broken["tests"])


def test_class_junit_has_a_suite_per_student_and_matches_the_schema() -> None:
    text = class_junit(records(), "en")
    xmlschema.XMLSchema(str(XSD)).validate(text)
    root = ET.fromstring(text)
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["ana", "ben", "cai", "dee"]
    assert int(root.get("tests", "0")) == sum(int(s.get("tests", "0")) for s in suites)
    assert suites[2].get("errors") == suites[2].get("tests")
    assert suites[1].find("properties/property[@name='name']").get("value") == "Ben <script>alert(1)</script>"


def test_summary_html_escapes_everything_and_needs_no_script() -> None:
    page = summary_html(records(), "en")
    assert "<script" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Cai &amp; &quot;Co&quot;" in page
    for outside in ("src=", "<link", "@import", "url(", "<script"):  # nothing loaded from elsewhere
        assert outside not in page
    assert page.count('<td class="err">ERROR</td>') == 3 + 2  # cai: both steps and total; dee: step-04, total
    assert "@media print" in page and "2 students could not be graded" in page
    zh = summary_html(records(), "zh")
    assert "班级汇总" in zh and 'lang="zh-CN"' in zh


def test_records_round_trip() -> None:
    for record in records():
        again = run_from_dict(json.loads(json.dumps(run_to_dict(record.run))))
        assert again == record.run
