"""The class JUnit file (out/junit.xml): a testsuite per student, written one student at a time.

Testcase classname `<student>.<lab>.<step>` and name the check id, so classname + name is unique
across the file (GitLab keeps only the first of equal pairs). The root's totals come from the
ClassHead, so each suite is serialized (indented as ET.indent indents the whole tree) and dropped.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import TextIO

from labcheck.batch.brief import Brief, ClassHead
from labcheck.batch.record import StudentRecord
from labcheck.core.i18n import Lang
from labcheck.reporters.junit import ID_LIMIT, add_case, counts, seconds, to_xml
from labcheck.reporters.safe import clean_xml

END = "</testsuites>"


class JunitWriter:
    def __init__(self, stream: TextIO, head: ClassHead, lang: Lang) -> None:
        self.stream, self.lang = stream, lang
        lab = head.lab_id if head.lab_id is not None else "labcheck"
        root = ET.Element("testsuites", name=clean_xml(lab, ID_LIMIT, newlines=False))
        for key, total in head.junit.items():
            root.set(key, str(total))
        root.set("time", seconds(head.wall))
        self.empty = head.students == 0
        if self.empty:  # <testsuites ... />, as the whole tree would be written
            stream.write(to_xml(root))
            return
        opening = ET.tostring(root, encoding="unicode", short_empty_elements=False)
        stream.write('<?xml version="1.0" encoding="UTF-8"?>\n' + opening[: -len(END)])

    def add(self, record: StudentRecord) -> None:
        run, lang = record.run, self.lang
        student = clean_xml(record.id, ID_LIMIT, newlines=False)
        suite_counts = counts(run.checks)
        attrib = {"name": student, **{k: str(v) for k, v in suite_counts.items()},
                  "time": seconds(run.duration_s), "package": clean_xml(run.lab_id, ID_LIMIT, newlines=False)}
        if run.started_at:
            attrib["timestamp"] = clean_xml(run.started_at[:19], 64, newlines=False)
        suite = ET.Element("testsuite", attrib)
        props = ET.SubElement(suite, "properties")
        for key in ("name", "email", "sis_id"):
            if record.student.get(key):
                ET.SubElement(props, "property", name=key,
                              value=clean_xml(record.student[key], newlines=False))
        ET.SubElement(props, "property", name="score", value=f"{run.score:g}")
        ET.SubElement(props, "property", name="max_score", value=f"{run.max_score:g}")
        for step in run.steps:
            classname = clean_xml(f"{record.id}.{run.lab_id}.{step.step_id}", 3 * ID_LIMIT, newlines=False)
            for c in step.checks:
                add_case(suite, classname, c, lang, verbose=False,
                         name=clean_xml(c.check_id, ID_LIMIT, newlines=False))
        ET.indent(suite, level=1)
        self.stream.write("\n  " + ET.tostring(suite, encoding="unicode"))

    def end(self) -> None:
        if not self.empty:
            self.stream.write(f"\n{END}\n")


def class_junit(records: Sequence[StudentRecord], lang: Lang) -> str:
    """The file for a class in memory (outputs.write_class streams it from the record files)."""
    ordered = sorted(records, key=lambda r: r.index)
    out = io.StringIO()
    writer = JunitWriter(out, ClassHead.of([Brief.of(r) for r in ordered]), lang)
    for record in ordered:
        writer.add(record)
    writer.end()
    return out.getvalue()
