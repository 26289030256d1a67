"""gradebook.csv presets, checked against the rules of each LMS's importer as read from its source.

Canvas: instructure/canvas-lms lib/gradebook_importer.rb at 00b222d77ee43d046e6aee0347c4ed5b27e1741f
    (row_has_student_headers?, update_column_count, header?, strip_non_assignment_columns,
    check_for_non_student_row, process_student, no_score?, identify_delimiter).
Moodle: moodle/moodle grade/import/csv/classes/load_data.php at 0289d8c7665458f8ffc47e34527598e15523f104
    (update_grade_item: '' or '-' is no grade, a non-numeric value is `badgrade` and aborts the import;
    insert_grade_record: a grade over gradepointmax (100 by default) aborts; map_user_data_with_value and
    prepare_import_grade_data: a row whose user cannot be matched aborts the whole import).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from labcheck.batch.gradebook import GradebookOptions, gradebook_csv, left_out, preset
from labcheck.batch.record import StudentRecord
from labcheck.core.i18n import Text
from labcheck.core.results import Outcome
from tests.cli_run import labcheck
from tests.unit.test_batch_cli import setup
from tests.unit.test_batch_helpers import make_run

STUDENTS = [
    {"id": "ana", "name": "Li, \"Ana\"", "sis_id": "1001", "email": "ana@u.edu", "index": 0},
    {"id": "ben", "name": "张伟", "sis_id": "1002", "email": "ben@u.edu", "index": 1},
    {"id": "cai", "name": "José Núñez", "sis_id": "1003", "email": "cai@u.edu", "index": 2},
    {"id": "dee", "name": "Dee; O'Brien", "sis_id": "1004", "email": "dee@u.edu", "index": 3},
]
MISSING = [{"id": "eve", "name": "Eve", "sis_id": "1005", "email": "eve@u.edu", "index": 4}]


def records() -> list[StudentRecord]:
    runs = [make_run(),
            make_run({"step-04/service": Outcome.FAILED, "step-04/service-answers": Outcome.SKIPPED}),
            make_run(default=Outcome.ERROR, problem=Text.same("cannot reach the cluster")),  # ungraded
            make_run({"step-04/service2": Outcome.ERROR, "step-04/service2-answers": Outcome.ERROR})]
    return [StudentRecord(dict(s), r) for s, r in zip(STUDENTS, runs, strict=True)]


def parse(text: str) -> list[list[str]]:
    assert "\r" not in text and text.endswith("\n")
    return list(csv.reader(io.StringIO(text)))


# ---- Canvas: lib/gradebook_importer.rb -------------------------------------------------------------

NON_ASSIGNMENT = re.compile("|".join(["Current Score", "Current Points", "Current Grade", "Final Score",
                                      "Final Points", "Final Grade", "Override Score", "Override Grade",
                                      "Override Status"]))


def canvas_student_columns(header: list[str]) -> int:
    """row_has_student_headers? + update_column_count + header?: how many leading columns are the
    student's, or an AssertionError where Canvas raises InvalidHeaderRow."""
    assert len(header) > 3 and "Student" in header[0] and "ID" in header[1], "Invalid header row"
    columns = 3
    if re.search(r"SIS\s+Login\s+ID", header[2]):
        columns += 1
    elif re.search(r"SIS\s+User\s+ID", header[2]) and re.search(r"SIS\s+Login\s+ID", header[3]):
        columns += 2 + (1 if re.search(r"Integration\s+ID", header[4]) else 0)
    assert "Section" in header[columns - 1], "Invalid header row"
    return columns


def canvas_delimiter(lines: list[str]) -> str:
    """identify_delimiter over the first three lines: ';' only if it gives more, consistent fields."""
    counts = {}
    for sep in (";", ","):
        sizes = [len(next(csv.reader([line], delimiter=sep))) for line in lines[:3]]
        counts[sep] = sizes[0] if len(set(sizes)) == 1 else 0
    return ";" if counts[";"] > counts[","] else ","


def test_canvas_preset_follows_the_importer() -> None:
    text = gradebook_csv(records(), preset("canvas"), MISSING)
    assert canvas_delimiter(text.splitlines()) == ","  # "Dee; O'Brien" must not make it ';'
    table = parse(text)
    header, points, students = table[0], table[1], table[2:]
    columns = canvas_student_columns(header)
    assert header[:columns] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assignments = header[columns:]
    # one assignment per step, no total: a total column would be imported as one more assignment
    assert assignments == ["pods step-02", "pods step-04"]
    assert not any(NON_ASSIGNMENT.search(a) for a in assignments)
    assert len(set(header)) == len(header) and all(len(row) == len(header) for row in table)
    # check_for_non_student_row: the first cell containing "Points Possible" sets points_possible
    full = records()[0].run
    assert "Points Possible" in points[0]
    assert points[columns:] == [f"{s.total_points:g}" for s in full.steps]
    # process_student: ID (Canvas's user id) blank, so a numeric roster id never picks another user;
    # then SIS User ID, SIS Login ID, then the name
    assert [r[0] for r in students] == [s["name"] for s in STUDENTS + MISSING]
    assert all(r[1] == "" for r in students)
    assert [r[2] for r in students] == ["1001", "1002", "1003", "1004", "1005"]
    assert [r[3] for r in students] == [s["email"] for s in STUDENTS + MISSING]
    # grades: numbers, or blank (no_score?: blank or "-" changes nothing) for ungraded and missing
    for row in students:
        for cell in row[columns:]:
            assert cell == "" or re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", cell), cell
    assert students[2][columns:] == ["", ""]  # cai: the cluster could not answer
    assert students[3][columns:] == [f"{full.steps[0].total_points:g}", ""]  # dee: step-04 ungraded
    assert students[4][columns:] == ["", ""]  # eve: no result at all
    assert "0" not in students[2] + students[4]


def test_canvas_preset_keeps_its_student_columns(tmp_path: Path) -> None:
    setup(tmp_path, 2)
    proc = labcheck("grade", "--roster", "roster.csv", "--gradebook", "canvas", "--id-column", "X",
                    cwd=tmp_path)
    assert proc.returncode == 2 and "--gradebook canvas" in proc.stderr
    assert not (tmp_path / "results").exists()


# ---- Moodle: grade/import/csv/classes/load_data.php -------------------------------------------------

def moodle_grade_ok(value: str) -> bool:
    """update_grade_item: '' or '-' is no grade, else unformat_float must read it; insert_grade_record
    refuses more than gradepointmax (100 unless changed)."""
    value = value.strip()
    if value in ("", "-"):
        return True
    try:
        return float(value) <= 100
    except ValueError:
        return False


def test_moodle_preset_follows_the_importer() -> None:
    options = preset("moodle")
    table = parse(gradebook_csv(records(), options, MISSING))
    header, students = table[0], table[1:]
    assert header == ["Email address", "Full name", "pods step-02", "pods step-02 feedback",
                      "pods step-04", "pods step-04 feedback"]
    assert len(set(header)) == len(header) and all(len(row) == len(header) > 1 for row in table)
    grades = [i for i, h in enumerate(header) if h.startswith("pods ") and not h.endswith("feedback")]
    for row in students:
        assert row[0], "a row Moodle cannot match to a user aborts the whole import"
        for i in grades:
            assert moodle_grade_ok(row[i]), (row, header[i])
    assert [r[0] for r in students] == [s["email"] for s in STUDENTS + MISSING]
    assert [r[1] for r in students] == [s["name"] for s in STUDENTS + MISSING]
    cai = students[2]
    assert [cai[i] for i in grades] == ["", ""] and "not a zero" in cai[3]
    ben = students[1]
    assert ben[grades[1]] != "" and "Still to do" in ben[5] and "service" in ben[5].lower()
    assert "answer" not in ben[5].split("Still to do")[0].lower()
    zh = parse(gradebook_csv(records(), preset("moodle", lang="zh")))
    assert "这不是零分" in zh[3][3]


def test_moodle_leaves_out_rows_it_could_not_match(tmp_path: Path) -> None:
    nobody = [{"id": "fay", "name": "Fay", "index": 5}]
    options = preset("moodle")
    assert left_out(records(), options, nobody) == ["fay"]
    assert "Fay" not in gradebook_csv(records(), options, nobody)
    setup(tmp_path, 2)  # rows without an email
    proc = labcheck("grade", "--roster", "roster.csv", "--steps", "step-04", "--gradebook", "moodle",
                    "--exit-zero", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("left out of gradebook.csv") == 2
    assert parse((tmp_path / "results" / "gradebook.csv").read_text(encoding="utf-8"))[1:] == []


# ---- plain, and the presets on every command -------------------------------------------------------

def test_plain_is_the_old_default() -> None:
    assert preset("plain") == GradebookOptions()
    table = parse(gradebook_csv(records(), preset("plain")))
    assert table[0] == ["id", "name", "step-02", "step-04", "total"]
    assert table[3][2:] == ["ERROR", "ERROR", "ERROR"]


def test_presets_on_grade_merge_and_collect(tmp_path: Path) -> None:
    setup(tmp_path, 3)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "name", "email", "sis_id", "kubeconfig", "namespace"])
    for i, name in enumerate(["Zoë", "李雷", "A\"B"]):
        writer.writerow([f"s{i}", f"Nom, {name}", f"s{i}@u.edu", 900 + i, "nowhere.yaml", f"lab-{i}"])
    (tmp_path / "roster.csv").write_text(out.getvalue(), encoding="utf-8")
    grade = labcheck("grade", "--roster", "roster.csv", "--steps", "step-04", "--wait", "0",
                     "--gradebook", "canvas", "--out", "r", cwd=tmp_path)
    assert grade.returncode == 2, grade.stderr
    canvas = parse((tmp_path / "r" / "gradebook.csv").read_text(encoding="utf-8"))
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "pods step-04"]
    assert canvas[2] == ["Nom, Zoë", "", "900", "s0@u.edu", "", ""]
    assert canvas[4][0] == "Nom, A\"B"
    merged = labcheck("merge", "r", "--out", "m", "--gradebook", "moodle", "--step-column", "Lab {step}",
                      cwd=tmp_path)
    assert merged.returncode == 2, merged.stderr
    moodle = parse((tmp_path / "m" / "gradebook.csv").read_text(encoding="utf-8"))
    assert moodle[0] == ["Email address", "Full name", "Lab step-04", "pods step-04 feedback"]
    assert moodle[2][:3] == ["s1@u.edu", "Nom, 李雷", ""]
    (tmp_path / "receipts").mkdir()
    collected = labcheck("collect", "receipts", "--roster", "roster.csv", "--steps", "step-04",
                         "--gradebook", "canvas", "--out", "c", cwd=tmp_path)
    assert collected.returncode == 0, collected.stderr
    rows = parse((tmp_path / "c" / "gradebook.csv").read_text(encoding="utf-8"))
    assert rows[0][:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert [r[2] for r in rows[2:]] == ["900", "901", "902"] and all(set(r[5:]) <= {""} for r in rows[2:])
