"""A fake class of 14 students for the class-output tests: passed, failed, pending, ungraded, a cluster
that could not be reached, a step left out, rows an LMS cannot match, HTML and commas in names.

tests/unit/data/batch-class/ holds the class outputs the runner wrote for it when every record was
kept in memory (commit 215ee6b); the streamed outputs must equal them byte for byte."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from labcheck.batch.gradebook import GradebookOptions, preset
from labcheck.batch.roster import Student, load_roster
from labcheck.core.i18n import Lang, Text
from labcheck.core.results import Outcome, RunResult
from tests.unit.test_batch_helpers import make_run

GOLDEN = Path(__file__).parent / "data" / "batch-class"
NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
ROWS = [  # id, name, email, sis_id
    ("s00", "Ada", "ada@uni.example", "S00"), ("s01", 'Bo "<b>bold</b>", Jr.', "bo@uni.example", ""),
    ("s02", "Cy", "cy@uni.example", "S02"), ("s03", "Di 迪", "di@uni.example", "S03"),
    ("s04", "Ed", "ed@uni.example", "S04"), ("s05", "Flo", "", "S05"), ("s06", "Gil", "", ""),
    ("s07", "Gus", "gus@uni.example", "S07"), ("s08", "Hal", "hal@uni.example", "S08"),
    ("s09", "Ivy", "ivy@uni.example", "S09"), ("s10", "Jo", "jo@uni.example", "S10"),
    ("s11", "Kai", "kai@uni.example", "S11"), ("s12", "Lu", "lu@uni.example", "S12"),
    ("s13", "Mo", "mo@uni.example", "S13"),
]
MISSING: list[dict[str, Any]] = [{"id": "s98", "name": "Nobody Graded", "email": "n@uni.example", "index": 5},
                                 {"id": "s99", "index": 10**9}]
# the gradebook, class JUnit and summary in each form: folder -> (options, language)
FORMS: dict[str, tuple[GradebookOptions, Lang]] = {
    "plain-en": (GradebookOptions(points_row=True), "en"),
    "canvas-en": (preset("canvas"), "en"),
    "moodle-zh": (preset("moodle", lang="zh"), "zh"),
}


def roster(tmp_path: Path) -> list[Student]:
    path = tmp_path / "class.csv"
    lines = ["id,name,email,sis_id,namespace"]
    lines += [f'{i},"{n.replace(chr(34), chr(34) * 2)}",{e},{s},lab-{i}' for i, n, e, s in ROWS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_roster(path)


def grade(student: Student) -> RunResult:
    """What each student's cluster shows (no clock: every run starts at the same time)."""
    n = int(student.id[1:])
    failed = {"step-04/service": Outcome.FAILED, "step-04/service-answers": Outcome.SKIPPED}
    if n == 2:
        return make_run(default=Outcome.ERROR)
    if n == 3:
        return make_run(default=Outcome.ERROR, problem=Text(en="cluster down", zh="集群不可达"))
    if n == 4:
        return make_run({"step-02/pod-running": Outcome.PENDING})
    if n == 8:
        return make_run(steps=["step-02"])
    if n == 9:
        return make_run({"step-02/pod-events": Outcome.ERROR})
    if n == 11:
        return make_run(evidence={"step-04/service": {"ports": "80:30080 <&>"}}, outcomes=failed)
    return make_run(failed if n % 3 == 1 else None)
