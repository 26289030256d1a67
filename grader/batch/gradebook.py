"""Class gradebook CSV: plain, or as Canvas and Moodle import it.

An ungraded step (the cluster could not answer) is never written as 0: it is ERROR or empty.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any, Literal, TextIO

from labcheck.batch.brief import Brief, ClassHead
from labcheck.batch.record import StudentRecord
from labcheck.core.i18n import Lang, tr
from labcheck.core.record import dataclass
from labcheck.core.results import Outcome, StepResult

ErrorStyle = Literal["ERROR", "empty"]
Preset = Literal["plain", "canvas", "moodle"]
ID_FIELDS = ("id", "sis_id", "email")
# Canvas's student columns, in the order lib/gradebook_importer.rb accepts them: Student, ID, then
# SIS User ID + SIS Login ID, then Section. ID (Canvas's own user id) stays blank: a numeric roster
# id there would be read as another Canvas user's id; Canvas then matches by SIS ids, then by name.
CANVAS_LEAD = (("Student", "name"), ("ID", ""), ("SIS User ID", "sis_id"), ("SIS Login ID", "email"),
               ("Section", ""))


@dataclass(frozen=True)
class GradebookOptions:
    id_column: str = "id"  # e.g. "SIS User ID" for Canvas, "Email address" for Moodle
    id_field: str = "id"  # which roster field fills it: id, sis_id or email
    name_column: str = "name"  # "" leaves the name out
    step_column: str = "{step}"  # template: {step}, {lab}, {max}
    total_column: str = "total"  # "" leaves the total out (an LMS computes its own)
    errors: ErrorStyle = "ERROR"
    points_row: bool = False  # Canvas's "Points Possible" row under the header
    canvas: bool = False  # Canvas's student columns (CANVAS_LEAD) instead of id and name
    feedback_column: str = ""  # template: a feedback column after each step ("" none)
    require_id: bool = False  # leave out rows with an empty id (Moodle cannot match them)
    lang: Lang = "en"  # language of the feedback columns


# What `--gradebook NAME` means; options given on the command line win over these.
PRESETS: dict[str, dict[str, Any]] = {
    "plain": {},
    # blank is "no change" in Canvas; a total column would be imported as one more assignment
    "canvas": {"canvas": True, "step_column": "{lab} {step}", "total_column": "", "errors": "empty",
               "points_row": True, "require_id": True},
    # Moodle refuses the whole file for one non-numeric grade ("badgrade"); empty is "no grade";
    # the course total is Moodle's own, so no total column either
    "moodle": {"id_column": "Email address", "id_field": "email", "name_column": "Full name",
               "step_column": "{lab} {step}", "total_column": "", "errors": "empty",
               "feedback_column": "{lab} {step} feedback", "require_id": True},
}


def preset(name: str, **given: Any) -> GradebookOptions:
    """A preset with the options given explicitly on top."""
    return GradebookOptions(**(PRESETS[name] | given))


def number(value: float) -> str:
    return f"{round(value, 4):g}"


def _lead_headers(options: GradebookOptions) -> list[str]:
    if options.canvas:
        return [header for header, _ in CANVAS_LEAD]
    return [options.id_column] + ([options.name_column] if options.name_column else [])


def _lead(student: dict[str, Any], options: GradebookOptions) -> list[str]:
    if options.canvas:
        return [str(student.get(field) or "") if field else "" for _, field in CANVAS_LEAD]
    ident = str(student.get(options.id_field) or "")
    return [ident] + ([str(student.get("name", ""))] if options.name_column else [])


def _matchable(student: dict[str, Any], options: GradebookOptions) -> bool:
    fields = [f for _, f in CANVAS_LEAD if f] if options.canvas else [options.id_field]
    return any(str(student.get(f) or "").strip() for f in fields)


def left_out(records: Sequence[StudentRecord | Brief], options: GradebookOptions,
             missing: Sequence[dict[str, Any]] = ()) -> list[str]:
    """Student ids whose row `require_id` leaves out: nothing the LMS could match it by."""
    if not options.require_id:
        return []
    students = [r.student for r in records] + list(missing)
    return [str(s.get("id")) for s in students if not _matchable(s, options)]


def step_feedback(step: StepResult, lang: Lang) -> str:
    """One line a student may read: score, and the titles of visible checks still to do."""
    if step.ungraded_points > 0:
        return tr("gradebook.feedback_ungraded", lang)
    todo = [c.title.get(lang) for c in step.checks if c.outcome is not Outcome.PASSED and c.visible]
    hidden = sum(1 for c in step.checks if c.outcome is not Outcome.PASSED and not c.visible)
    text = tr("gradebook.feedback", lang, score=number(step.score), max=number(step.max_score))
    if todo:
        text += " " + tr("gradebook.feedback_todo", lang, checks="; ".join(todo))
    if hidden:
        text += " " + tr("gradebook.feedback_hidden", lang, count=hidden)
    return text


class GradebookWriter:
    """The gradebook written row by row as the students come, in roster order; `missing` students
    (no result at all) get empty cells, in their place by roster index."""

    def __init__(self, stream: TextIO, head: ClassHead, briefs: Sequence[Brief], options: GradebookOptions,
                 missing: Sequence[dict[str, Any]] = ()) -> None:
        self.options, self.head = options, head
        self.writer = csv.writer(stream, lineterminator="\n")
        self.left_out = left_out(briefs, options, missing)
        self.skip = set(self.left_out)
        self.missing = sorted(missing, key=lambda s: int(s.get("index", 0)))
        self.feedback, self.total = bool(options.feedback_column), bool(options.total_column)
        self.marker = "ERROR" if options.errors == "ERROR" else ""
        header = _lead_headers(options)
        for s in head.steps:
            fill = {"step": s, "lab": head.lab_id or "", "max": number(head.maxima[s])}
            header.append(options.step_column.format(**fill))
            if self.feedback:
                header.append(options.feedback_column.format(**fill))
        if self.total:
            header.append(options.total_column)
        self.writer.writerow(header)
        if options.points_row:
            lead = ["Points Possible"] + [""] * (len(_lead_headers(options)) - 1)
            points: list[str] = []
            for s in head.steps:
                points += [number(head.maxima[s])] + ([""] if self.feedback else [])
            self.writer.writerow(lead + points + ([number(sum(head.maxima.values()))] if self.total else []))

    def _missing_before(self, index: float) -> None:
        while self.missing and int(self.missing[0].get("index", 0)) < index:
            student = self.missing.pop(0)
            if str(student.get("id")) not in self.skip:
                per_step = 2 if self.feedback else 1
                self.writer.writerow(_lead(student, self.options)
                                     + [""] * (len(self.head.steps) * per_step + self.total))

    def add(self, record: StudentRecord) -> None:
        self._missing_before(record.index)  # a missing student of the same index comes after
        if record.id in self.skip:
            return
        cells = _lead(record.student, self.options)
        by_step = {s.step_id: s for s in record.run.steps}
        for step_id in self.head.steps:
            step = by_step.get(step_id)
            if step is None:
                cells += [""] * (2 if self.feedback else 1)
                continue
            cells.append(self.marker if step.ungraded_points > 0 else number(step.score))
            if self.feedback:
                cells.append(step_feedback(step, self.options.lang))
        if self.total:
            cells.append(self.marker if record.has_error else number(record.run.score))
        self.writer.writerow(cells)

    def end(self) -> None:
        self._missing_before(float("inf"))


def gradebook_csv(records: Sequence[StudentRecord], options: GradebookOptions,
                  missing: Sequence[dict[str, Any]] = ()) -> str:
    """One row per student in roster order (the whole class in memory: outputs.write_class streams)."""
    ordered = sorted(records, key=lambda r: r.index)
    briefs = [Brief.of(r) for r in ordered]
    out = io.StringIO()
    book = GradebookWriter(out, ClassHead.of(briefs), briefs, options, missing)
    for record in ordered:
        book.add(record)
    book.end()
    return out.getvalue()
