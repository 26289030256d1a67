"""Rosters: CSV and YAML, every bad row named by file:line and field; sharding."""

from __future__ import annotations

from pathlib import Path

import pytest

from labcheck.batch.roster import load_roster, parse_shard, shard
from labcheck.errors import SpecError


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def errors_of(path: Path) -> list[str]:
    with pytest.raises(SpecError) as info:
        load_roster(path)
    return [line.replace(str(path), path.name) for line in info.value.lines]


def test_csv_roster_reads_rows_and_resolves_kubeconfig(tmp_path: Path) -> None:
    path = write(tmp_path, "roster.csv", "# class of 2026\n"
                 "id,name,email,sis_id,kubeconfig,context,namespace\n"
                 "alice,Alice Li,alice@uni.edu,S1,kc/alice.yaml,,\n\nbob,\"Bob, Jr.\",,,,kind-kind,lab-bob\n")
    alice, bob = load_roster(path)
    assert (alice.id, alice.name, alice.email, alice.sis_id, alice.index) == ("alice", "Alice Li",
                                                                              "alice@uni.edu", "S1", 0)
    assert alice.kubeconfig == str(tmp_path / "kc" / "alice.yaml")
    assert alice.source == f"{path}:3"
    assert (bob.name, bob.context, bob.namespace, bob.kubeconfig, bob.index) == ("Bob, Jr.", "kind-kind",
                                                                                 "lab-bob", None, 1)
    assert bob.source == f"{path}:5"


def test_csv_bad_rows_name_line_and_field(tmp_path: Path) -> None:
    path = write(tmp_path, "roster.csv", "id,name,email,namespace\n"
                 "alice,Alice,alice@uni.edu,lab-a\n"
                 "alice,Alice again,,lab-b\n"
                 "bad id,Carol,carol-at-uni,Lab_C\n"
                 ",Dan,,\n")
    assert errors_of(path) == [
        "roster.csv:3: id: 'alice' is already used on line 2",
        "roster.csv:4: id: 'bad id' is not a valid id (letters, digits and . _ @ + -, at most 128)",
        "roster.csv:4: email: 'carol-at-uni' is not an email address",
        "roster.csv:4: namespace: 'Lab_C' is not a valid namespace name (lowercase letters, digits and '-')",
        "roster.csv:5: id: required",
        "roster.csv:5: kubeconfig: a student needs at least one of kubeconfig, context, namespace",
    ]


def test_csv_unknown_column_and_extra_cells(tmp_path: Path) -> None:
    assert errors_of(write(tmp_path, "a.csv", "id,name,namspace\nalice,Alice,lab-a\n")) == [
        "a.csv:1: namspace: unknown column "
        "(columns: id, name, email, sis_id, kubeconfig, context, namespace)"]
    assert errors_of(write(tmp_path, "b.csv", "id,name,namespace\nalice,Alice,lab-a,extra\n")) == [
        "b.csv:2: cells: 4 cells but the header has 3"]
    assert errors_of(write(tmp_path, "c.csv", "id,name,namespace\n")) == [
        "c.csv:1: students: the roster lists no students"]


def test_yaml_roster_and_its_errors(tmp_path: Path) -> None:
    good = write(tmp_path, "roster.yaml", "students:\n  - id: alice\n    name: Alice\n    namespace: lab-a\n"
                 "  - {id: bob, name: Bob, context: kind-kind}\n")
    assert [s.id for s in load_roster(good)] == ["alice", "bob"]
    bad = write(tmp_path, "bad.yaml", "- id: alice\n  name: Alice\n  namespace: lab-a\n"
                "- id: bob\n  namespace: Lab-B\n")
    assert errors_of(bad) == [
        "bad.yaml:4: students[1].name: required",
        "bad.yaml:4: students[1].namespace: 'Lab-B' is not a valid namespace name "
        "(lowercase letters, digits and '-')",
    ]
    typo = write(tmp_path, "typo.yaml", "- id: alice\n  name: Alice\n  nmespace: lab-a\n")
    assert errors_of(typo) == ["typo.yaml:3: students[0].nmespace: unknown field "
                               "(fields: id, name, email, sis_id, kubeconfig, context, namespace)"]
    syntax = write(tmp_path, "syntax.yaml", "- id: alice\n  name: [Alice\n")
    assert errors_of(syntax)[0].startswith("syntax.yaml:3: YAML syntax error:")
    nested = write(tmp_path, "nested.yaml", "- id: alice\n  name: {first: A}\n  namespace: a\n")
    assert errors_of(nested) == ["nested.yaml:2: students[0].name: expected text"]


def test_shards_partition_the_roster(tmp_path: Path) -> None:
    rows = "".join(f"s{i:02d},Student {i},lab-{i}\n" for i in range(31))
    students = load_roster(write(tmp_path, "r.csv", "id,name,namespace\n" + rows))
    parts = [shard(students, i, 4) for i in range(4)]
    assert sorted(s.id for p in parts for s in p) == sorted(s.id for s in students)
    assert all(not set(a) & set(b) for i, a in enumerate(parts) for b in parts[i + 1:])
    assert [len(p) for p in parts] == [8, 8, 8, 7]
    assert parse_shard("2/4") == (2, 4)
    for bad in ("4/4", "1", "-1/3", "0/0"):
        with pytest.raises(ValueError):
            parse_shard(bad)
