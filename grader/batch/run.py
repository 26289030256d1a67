"""Grade a roster: a bounded pool of students at once, each under its own deadline.

Each student's grading runs in its own daemon thread that a supervisor joins with a timeout,
so a cluster that hangs ends as `error` for that student while the others finish; each
finished student is written to disk at once, so an interrupted run loses nothing, and only
its Brief is kept (batch/brief.py): the class outputs are made from the files.
"""

from __future__ import annotations

import datetime as dt
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from labcheck.batch.brief import Brief
from labcheck.batch.outputs import student_dir, write_student
from labcheck.batch.record import StudentRecord, read_record, timeout_problem, ungraded_run
from labcheck.batch.roster import Student
from labcheck.core.i18n import Lang, msg, tr
from labcheck.core.record import dataclass
from labcheck.core.results import RunResult

if TYPE_CHECKING:
    from labcheck.spec import Lab

GradeFn = Callable[[Student], RunResult]


@dataclass(frozen=True)
class BatchOptions:
    out: Path
    jobs: int = 4
    timeout: float | None = 300.0  # per student; None: no deadline
    resume: bool = False
    lang: Lang = "en"


def default_grade_fn(lab: Lab, step_ids: list[str], *, kubeconfig: str | None, wait: float | None,
                     files_dir: Path | None, students: list[Student] | None = None) -> GradeFn:
    """Grades one student; with the roster (`students`), those on one cluster share its lists."""
    from labcheck.batch.shared import SharedClusters
    from labcheck.session import grade

    targets: dict[tuple[str | None, str | None], list[str | None]] = {}
    for s in students or []:
        targets.setdefault((s.kubeconfig or kubeconfig, s.context), []).append(s.namespace)
    # a shared list is never older than one poll interval; one look (--wait 0) grades a finished
    # class: each list is fetched once for the whole round, however long the class takes
    max_age = float("inf") if wait == 0 else lab.spec.defaults.interval
    opener = SharedClusters(targets, max_age) if targets else None

    def grade_one(student: Student) -> RunResult:
        # a roster's kubeconfig that does not exist is refused by connect() (as kubectl refuses it),
        # for the steps that read the cluster only: a quiz step is still graded
        folder = files_dir / student.id if files_dir and (files_dir / student.id).is_dir() else files_dir
        return grade(lab, step_ids, kubeconfig=student.kubeconfig or kubeconfig, context=student.context,
                     namespace=student.namespace, files_dir=folder or Path("."), wait=wait, opener=opener)

    return grade_one


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _already_graded(out: Path, student: Student, lab: Lab, step_ids: list[str]) -> Brief | None:
    record = read_record(student_dir(out, student.id) / "record.json")
    if record is None or record.has_error or record.run.lab_id != lab.id:
        return None  # ungraded students are tried again
    if [s.step_id for s in record.run.steps] != step_ids:
        return None
    return Brief.of(record)


class _Progress:
    def __init__(self, total: int, lang: Lang, stream: TextIO) -> None:
        self.total, self.lang, self.stream = total, lang, stream
        self.enabled = bool(getattr(stream, "isatty", lambda: False)())
        self.done = self.errors = 0

    def step(self, brief: Brief) -> None:
        self.done += 1
        self.errors += brief.has_error
        if self.enabled:
            width = 24
            filled = int(width * self.done / max(self.total, 1))
            line = tr("batch.progress", self.lang, done=self.done, total=self.total, errors=self.errors)
            self.stream.write(f"\r\033[K[{'#' * filled}{'.' * (width - filled)}] {line}")
            self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\r\033[K")
            self.stream.flush()


def grade_roster(lab: Lab, step_ids: list[str], students: list[Student], options: BatchOptions,
                 grade_fn: GradeFn, stream: TextIO = sys.stderr) -> list[Brief]:
    """Grade every student (skipping graded ones with resume), each written to `options.out` as it
    ends; their Briefs come back in roster order (read the records from the files)."""
    briefs: dict[str, Brief] = {}
    todo = []
    for student in students:
        done = _already_graded(options.out, student, lab, step_ids) if options.resume else None
        if done is not None:
            briefs[student.id] = done
        else:
            todo.append(student)
    if options.resume and briefs:
        stream.write(tr("batch.resumed", options.lang, count=len(briefs), out=options.out) + "\n")
    progress = _Progress(len(todo), options.lang, stream)

    stop = threading.Event()  # set on Ctrl-C: supervisors stop waiting, nothing half-done is written

    def supervise(student: Student) -> Brief | None:
        box: dict[str, object] = {}
        started, start = _now(), time.monotonic()

        def work() -> None:
            try:
                box["run"] = grade_fn(student)
            except Exception as exc:  # a crash is this student's error, never the whole run's
                box["error"] = f"{type(exc).__name__}: {exc}"

        worker = threading.Thread(target=work, name=f"labcheck-{student.id}", daemon=True)
        worker.start()
        deadline = start + options.timeout if options.timeout else float("inf")
        while worker.is_alive() and not stop.is_set() and time.monotonic() < deadline:
            worker.join(min(0.2, max(0.0, deadline - time.monotonic())))
        if stop.is_set():
            return None
        elapsed = round(time.monotonic() - start, 3)
        run = box.get("run")
        if worker.is_alive():  # abandoned: a daemon thread cannot hold up the run or its exit
            problem = timeout_problem(options.timeout or 0)
            run = ungraded_run(lab, step_ids, student, problem, started, elapsed)
        elif not isinstance(run, RunResult):
            run = ungraded_run(lab, step_ids, student, msg("batch.crash", error=box.get("error", "?")),
                               started, elapsed)
        record = StudentRecord.of(student, run)
        write_student(options.out, record, options.lang)
        return Brief.of(record)  # the results are on disk now, and dropped here

    pool = ThreadPoolExecutor(max_workers=max(1, options.jobs), thread_name_prefix="labcheck-batch")
    try:
        futures = [pool.submit(supervise, s) for s in todo]
        for future in as_completed(futures):
            brief = future.result()
            if brief is not None:
                briefs[brief.id] = brief
                progress.step(brief)
    finally:
        stop.set()
        pool.shutdown(wait=False, cancel_futures=True)
        progress.close()
    return sorted(briefs.values(), key=lambda r: r.index)
