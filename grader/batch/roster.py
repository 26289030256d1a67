"""Rosters: who the students are and where their work lives (CSV or YAML), plus sharding.

Every problem comes out as `file:line: field: what is wrong`, all of them at once.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import yaml

from labcheck.core.record import dataclass
from labcheck.errors import SpecError

FIELDS = ("id", "name", "email", "sis_id", "kubeconfig", "context", "namespace")
TARGET_FIELDS = ("kubeconfig", "context", "namespace")
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$")  # also a folder name in --out
NAMESPACE_RE = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")


@dataclass(frozen=True)
class Student:
    index: int  # position in the roster: shards and merges keep this order
    id: str
    name: str
    email: str = ""
    sis_id: str = ""
    kubeconfig: str | None = None  # resolved against the roster's folder
    context: str | None = None
    namespace: str | None = None
    source: str = ""  # file:line, for messages


def _check_row(row: dict[str, str], where: str, prefix: str, seen: dict[str, str],
               base: Path) -> tuple[Student | None, list[str]]:
    errors: list[str] = []

    def bad(field: str, problem: str) -> None:
        errors.append(f"{where}: {prefix}{field}: {problem}")

    for field in ("id", "name"):
        if not row.get(field):
            bad(field, "required")
    sid = row.get("id", "")
    if sid and not ID_RE.match(sid):
        bad("id", f"'{sid}' is not a valid id (letters, digits and . _ @ + -, at most 128)")
    elif sid in seen:
        bad("id", f"'{sid}' is already used on line {seen[sid].rsplit(':', 1)[-1]}")
    email = row.get("email", "")
    if email and "@" not in email:
        bad("email", f"'{email}' is not an email address")
    ns = row.get("namespace", "")
    if ns and not NAMESPACE_RE.match(ns):
        bad("namespace", f"'{ns}' is not a valid namespace name (lowercase letters, digits and '-')")
    if not any(row.get(f) for f in TARGET_FIELDS):
        bad("kubeconfig", "a student needs at least one of kubeconfig, context, namespace")
    if errors:
        return None, errors
    seen[sid] = where
    kubeconfig = row.get("kubeconfig") or None
    if kubeconfig:
        kubeconfig = str(base / Path(kubeconfig).expanduser())
    return Student(index=len(seen) - 1, id=sid, name=row["name"], email=email,
                   sis_id=row.get("sis_id", ""), kubeconfig=kubeconfig,
                   context=row.get("context") or None, namespace=ns or None, source=where), []


def _read_csv(path: Path, text: str) -> list[tuple[dict[str, str], str, str, int]]:
    reader = csv.reader(io.StringIO(text))
    header: list[str] | None = None
    rows: list[tuple[dict[str, str], str, str, int]] = []
    line = 1
    for cells in reader:
        start, line = line, reader.line_num + 1
        if not any(c.strip() for c in cells) or cells[0].lstrip().startswith("#"):
            continue
        if header is None:
            header = [c.strip().lower() for c in cells]
            unknown = [c for c in header if c not in FIELDS]
            if unknown:
                raise SpecError([f"{path}:{start}: {c or '(empty)'}: unknown column "
                                 f"(columns: {', '.join(FIELDS)})" for c in unknown])
            continue
        if len(cells) > len(header):
            raise SpecError([f"{path}:{start}: cells: {len(cells)} cells but the header has {len(header)}"])
        row = {h: c.strip() for h, c in zip(header, cells, strict=False)}
        rows.append((row, f"{path}:{start}", "", start))
    return rows


def _read_yaml(path: Path, text: str) -> list[tuple[dict[str, str], str, str, int]]:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise SpecError([f"{path}:{line}: YAML syntax error: {exc.problem}"]) from None
    if isinstance(node, yaml.MappingNode):
        found = [v for k, v in node.value if getattr(k, "value", None) == "students"]
        node = found[0] if found else None
    if not isinstance(node, yaml.SequenceNode):
        raise SpecError([f"{path}:1: students: expected a list of students (or `students:` with a list)"])
    rows: list[tuple[dict[str, str], str, str, int]] = []
    for i, item in enumerate(node.value):
        line = item.start_mark.line + 1
        if not isinstance(item, yaml.MappingNode):
            raise SpecError([f"{path}:{line}: students[{i}]: expected a mapping with id, name, ..."])
        row: dict[str, str] = {}
        for key, value in item.value:
            name = str(key.value)
            if name not in FIELDS:
                raise SpecError([f"{path}:{key.start_mark.line + 1}: students[{i}].{name}: unknown field "
                                 f"(fields: {', '.join(FIELDS)})"])
            if not isinstance(value, yaml.ScalarNode):
                raise SpecError([f"{path}:{value.start_mark.line + 1}: students[{i}].{name}: expected text"])
            row[name] = "" if value.tag.endswith(":null") else str(value.value).strip()
        rows.append((row, f"{path}:{line}", f"students[{i}].", line))
    return rows


def load_roster(path: str | Path) -> list[Student]:
    """Read a CSV (with a header row) or YAML roster; raise SpecError listing every bad row."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError([f"{path}:1: cannot read the roster: {exc}"]) from None
    yaml_file = path.suffix.lower() in (".yaml", ".yml")
    rows = _read_yaml(path, text) if yaml_file else _read_csv(path, text)
    students: list[Student] = []
    errors: list[str] = []
    seen: dict[str, str] = {}
    for row, where, prefix, _line in rows:
        student, problems = _check_row(row, where, prefix, seen, path.parent)
        errors.extend(problems)
        if student is not None:
            students.append(student)
    if errors:
        raise SpecError(errors)
    if not students:
        raise SpecError([f"{path}:1: students: the roster lists no students"])
    return students


def parse_shard(value: str) -> tuple[int, int]:
    """`I/N` (I from 0, as JOB_COMPLETION_INDEX counts) to (I, N)."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", value)
    if not match or int(match[2]) < 1 or int(match[1]) >= int(match[2]):
        raise ValueError(f"'{value}' is not INDEX/COUNT with 0 <= INDEX < COUNT (e.g. 0/4)")
    return int(match[1]), int(match[2])


def shard(students: list[Student], index: int, count: int) -> list[Student]:
    """Round-robin, so every shard gets a similar mix; shards together are the roster."""
    return [s for s in students if s.index % count == index]


def describe(student: Student) -> dict[str, Any]:
    return {"id": student.id, "name": student.name, "email": student.email, "sis_id": student.sis_id,
            "index": student.index}
