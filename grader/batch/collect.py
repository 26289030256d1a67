"""`labcheck collect`: submitted receipts to a gradebook, with suspicious submissions flagged.

Scores are recomputed from each check's outcome and the instructor's lab (points in a receipt
are ignored). Flags: one cluster or one object uid under two students, a scenario digest that
differs from the instructor's lab, a receipt finished outside the assignment window.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from labcheck.batch.record import StudentRecord
from labcheck.batch.roster import Student, describe
from labcheck.core.i18n import Lang, Text, msg
from labcheck.core.record import dataclass
from labcheck.core.results import CheckResult, Outcome, RunResult, StepResult
from labcheck.receipts import RECEIPT_FORMAT

if TYPE_CHECKING:
    from labcheck.spec import Lab


@dataclass(frozen=True)
class Flag:
    student: str
    kind: str  # shared_cluster, shared_object, digest, window, unreadable
    message: Text


def parse_time(value: str) -> dt.datetime:
    """ISO 8601; a time without a zone is UTC."""
    when = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def match_receipts(folder: Path, students: list[Student]) -> tuple[dict[str, list[Path]], list[Path]]:
    """Receipts (.json) and JUnit files (.xml) by student id: a file (or its folder) named by the
    student's id, SIS id or email."""
    keys: dict[str, str] = {}
    for s in students:
        for key in (s.id, s.sis_id, s.email):
            if key:
                keys.setdefault(key, s.id)
    found: dict[str, list[Path]] = defaultdict(list)
    unknown: list[Path] = []
    for path in sorted([*folder.rglob("*.json"), *folder.rglob("*.xml")]):
        owner = keys.get(path.stem) or keys.get(path.parent.name)
        if owner is None:
            unknown.append(path)
        else:
            found[owner].append(path)
    return found, unknown


def read_receipt(path: Path) -> dict[str, Any]:
    """A receipt (JSON), or a submitted JUnit file read as one."""
    if path.suffix.lower() == ".xml":
        from labcheck.batch.junit_in import read_junit

        return read_junit(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("format") != RECEIPT_FORMAT:
        raise ValueError(f"not a labcheck receipt (format {RECEIPT_FORMAT})")
    if not isinstance(data.get("checks"), list):
        raise ValueError("no checks in the receipt")
    return data


def _outside(when_text: str, start: dt.datetime | None, end: dt.datetime | None) -> bool:
    if not (start or end):
        return False
    try:
        when = parse_time(when_text)
    except ValueError:
        return True
    return bool((start and when < start) or (end and when > end))


def receipt_run(receipt: dict[str, Any], lab: Lab, step_ids: list[str], *,
                window_start: dt.datetime | None = None, window_end: dt.datetime | None = None) -> RunResult:
    """The run a receipt describes, scored with the instructor's lab; absent checks are pending.
    A check the student's progress file counted as passed earlier counts only when it passed inside
    the assignment window (the receipt's digest and cluster are checked for the whole receipt)."""
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for c in receipt["checks"]:
        if isinstance(c, dict):
            seen[(str(c.get("step")), str(c.get("check")))] = c
    steps = []
    for step_id in step_ids:
        step = lab.step(step_id)
        results = []
        for spec in step.checks:
            entry = seen.get((step_id, spec.id), {})
            try:
                outcome = Outcome(str(entry.get("outcome", "pending")))
            except ValueError:
                outcome = Outcome.PENDING
            evidence: dict[str, Any] = entry["evidence"] if isinstance(entry.get("evidence"), dict) else {}
            earlier = str(entry.get("passed_earlier_at") or "") if outcome is Outcome.PASSED else ""
            message = msg("collect.remembered", when=earlier) if earlier else msg(f"collect.{outcome}")
            if earlier and _outside(earlier, window_start, window_end):
                outcome = Outcome.PENDING
                message = msg("collect.remembered_window", check=spec.id, when=earlier,
                              start=_iso(window_start), end=_iso(window_end))
            results.append(CheckResult(
                step_id=step_id, check_id=spec.id, kind=spec.kind,
                title=spec.title, hint=spec.hint, points=spec.points, outcome=outcome,
                message=message, evidence={str(k): str(v) for k, v in evidence.items()},
                graded=outcome is not Outcome.ERROR and bool(entry.get("graded", True)),
                visibility=spec.visibility, remembered=earlier))
        steps.append(StepResult(step_id, step.title, tuple(results), file=lab.step_file(step_id)))
    cluster = receipt.get("cluster") if isinstance(receipt.get("cluster"), dict) else {}
    return RunResult(lab_id=lab.id, lab_title=lab.spec.title, steps=tuple(steps),
                     pass_threshold=lab.spec.pass_threshold, context=str(receipt.get("context", "")),
                     namespace=str(receipt.get("namespace", "")),
                     labcheck_version=str(receipt.get("labcheck_version", "")),
                     started_at=str(receipt.get("started_at", "")),
                     identity={str(k): str(v) for k, v in (cluster or {}).items()})


def _iso(when: dt.datetime | None) -> str:
    return when.isoformat() if when else ""


def find_flags(receipts: dict[str, dict[str, Any]], digest: str, *, window_start: dt.datetime | None,
               window_end: dt.datetime | None, shared_cluster_ok: bool = False) -> list[Flag]:
    flags: list[Flag] = []
    clusters: dict[str, list[str]] = defaultdict(list)
    objects: dict[tuple[str, str], list[str]] = defaultdict(list)
    for sid, r in receipts.items():
        uid = str((r.get("cluster") or {}).get("kube_system_uid", ""))
        if uid:
            clusters[uid].append(sid)
        for obj in r.get("objects") or []:
            if isinstance(obj, dict) and obj.get("uid"):
                owners = objects[(str(obj.get("what", "")), str(obj["uid"]))]
                if sid not in owners:
                    owners.append(sid)
        if r.get("scenario_digest") != digest:
            flags.append(Flag(sid, "digest", msg("collect.digest", digest=str(r.get("scenario_digest")),
                                                 expected=digest)))
        when_text = str(r.get("finished_at") or r.get("started_at") or "")
        try:
            when = parse_time(when_text)
        except ValueError:
            when = None
        if (window_start or window_end) and (when is None or (window_start and when < window_start)
                                             or (window_end and when > window_end)):
            flags.append(Flag(sid, "window", msg("collect.window", when=when_text or "?",
                                                 start=_iso(window_start), end=_iso(window_end))))
        for c in r.get("checks") or []:
            earlier = str(c.get("passed_earlier_at") or "") if isinstance(c, dict) else ""
            if earlier and _outside(earlier, window_start, window_end):
                check = f"{c.get('step')}/{c.get('check')}"
                flags.append(Flag(sid, "window", msg("collect.remembered_window", check=check, when=earlier,
                                                     start=_iso(window_start), end=_iso(window_end))))
    if not shared_cluster_ok:
        for uid, owners in clusters.items():
            for sid in owners if len(owners) > 1 else []:
                others = ", ".join(o for o in owners if o != sid)
                text = msg("collect.shared_cluster", uid=uid, others=others)
                flags.append(Flag(sid, "shared_cluster", text))
    for (what, uid), owners in objects.items():
        for sid in owners if len(owners) > 1 else []:
            others = ", ".join(o for o in owners if o != sid)
            flags.append(Flag(sid, "shared_object", msg("collect.shared_object", what=what, uid=uid,
                                                        others=others)))
    return flags


def collect(folder: Path, students: list[Student], lab: Lab, step_ids: list[str], digest: str, *,
            window_start: dt.datetime | None = None, window_end: dt.datetime | None = None,
            shared_cluster_ok: bool = False,
            ) -> tuple[list[StudentRecord], list[dict[str, Any]], list[Flag], list[Path]]:
    """Records of students with a receipt, students without, flags, and files matching nobody."""
    found, unknown = match_receipts(folder, students)
    receipts: dict[str, dict[str, Any]] = {}
    flags: list[Flag] = []
    for sid, paths in found.items():
        latest: tuple[str, dict[str, Any]] | None = None
        for path in paths:
            try:
                data = read_receipt(path)
            except (OSError, ValueError) as exc:
                flags.append(Flag(sid, "unreadable", msg("collect.unreadable", error=f"{path.name}: {exc}")))
                continue
            stamp = str(data.get("finished_at", ""))
            if latest is None or stamp > latest[0]:
                latest = (stamp, data)
        if latest is not None:
            receipts[sid] = latest[1]
    flags += find_flags(receipts, digest, window_start=window_start, window_end=window_end,
                        shared_cluster_ok=shared_cluster_ok)
    records = [StudentRecord.of(s, receipt_run(receipts[s.id], lab, step_ids, window_start=window_start,
                                               window_end=window_end))
               for s in students if s.id in receipts]
    missing = [describe(s) for s in students if s.id not in receipts]
    return records, missing, flags, unknown


def flags_csv(flags: list[Flag], lang: Lang) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student", "flag", "message"])
    writer.writerows([f.student, f.kind, f.message.get(lang)] for f in flags)
    return out.getvalue()
