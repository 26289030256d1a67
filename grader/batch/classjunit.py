"""One JUnit XML file for the class: a testsuite per student, a testcase per check."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from grader.batch.record import StudentRecord
from grader.i18n import Lang
from grader.results import Outcome


def class_junit(records: Sequence[StudentRecord], lang: Lang) -> str:
    lab = records[0].run.lab_id if records else "labcheck"
    root = ET.Element("testsuites", name=lab)
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    time_total = 0.0
    for record in sorted(records, key=lambda r: r.index):
        run = record.run
        checks = run.checks
        counts = {
            "tests": len(checks),
            "failures": sum(1 for c in checks if c.outcome in (Outcome.FAILED, Outcome.PENDING)),
            "errors": sum(1 for c in checks if c.outcome is Outcome.ERROR),
            "skipped": sum(1 for c in checks if c.outcome is Outcome.SKIPPED),
        }
        attrib = {"name": record.id, **{k: str(v) for k, v in counts.items()},
                  "time": f"{run.duration_s:.3f}"}
        suite = ET.SubElement(root, "testsuite", attrib)
        if run.started_at:
            suite.set("timestamp", run.started_at[:19])
        props = ET.SubElement(suite, "properties")
        for key in ("name", "email", "sis_id"):
            if record.student.get(key):
                ET.SubElement(props, "property", name=key, value=str(record.student[key]))
        ET.SubElement(props, "property", name="score", value=f"{run.score:g}")
        ET.SubElement(props, "property", name="max_score", value=f"{run.max_score:g}")
        for c in checks:
            case = ET.SubElement(suite, "testcase", classname=f"{run.lab_id}.{c.step_id}",
                                 name=c.check_id, time=f"{c.duration_s:.3f}")
            message = c.message.get(lang)
            if c.outcome in (Outcome.FAILED, Outcome.PENDING):
                ET.SubElement(case, "failure", message=message, type=str(c.outcome)).text = message
            elif c.outcome is Outcome.ERROR:
                ET.SubElement(case, "error", message=message, type="error").text = message
            elif c.outcome is Outcome.SKIPPED:
                ET.SubElement(case, "skipped", message=message)
        for key, value in counts.items():
            totals[key] += value
        time_total += run.duration_s
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", f"{time_total:.3f}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
