"""tests.yaml, the lab's declared mistakes: the format, its JSON Schema, and what each case expects."""

from __future__ import annotations

from pathlib import Path

import pytest

from labcheck.errors import SpecError
from labcheck.labtests import LabTests, labtests_schema_text, load_tests
from labcheck.loader import load_lab
from tests.cli_run import ROOT
from tests.unit.test_cli import labcheck

PODS = ROOT / "scenarios" / "pods"


def test_the_tests_schema_is_current() -> None:
    out = labcheck("schema", "--tests")
    assert out.returncode == 0 and out.stdout == labtests_schema_text()
    assert out.stdout == (ROOT / "scenarios/labcheck.tests.schema.json").read_text(encoding="utf-8"), \
        "stale: run `labcheck schema --tests -o scenarios/labcheck.tests.schema.json`"


def test_the_pods_lab_declares_the_mistakes_the_e2e_suite_played() -> None:
    loaded = load_tests(PODS)
    assert loaded is not None
    tests, _ = loaded
    names = [m.name for m in tests.mistakes]
    assert len(names) >= 25 and "crash loop (exit 1)" in names and "saved YAML of an earlier Pod" in names
    assert {m.step for m in tests.mistakes} == {f"step-0{i}" for i in range(1, 8)}
    assert all(tests.start_of(m) == "empty" for m in tests.mistakes)


def test_unnamed_checks_are_the_rest_or_skipped_behind_one_that_does_not_pass() -> None:
    lab = load_lab(PODS)
    tests, _ = load_tests(PODS) or (LabTests(), None)
    wrong_port = next(m for m in tests.mistakes if m.name == "wrong port")
    assert {k: v.describe() for k, v in wrong_port.expected(lab.step("step-04")).items()} == {
        "pod-running": "passed", "service": "failed service.no_port", "service-answers": "skipped",
        "service2": "pending", "service2-answers": "skipped"}
    nginx = next(m for m in tests.mistakes if m.name == "image nginx")
    assert {k: v.outcome for k, v in nginx.expected(lab.step("step-02")).items()} == {
        "nodes-ready": "passed", "pod-running": "failed", "pod-events": "skipped", "pod-deleted": "pending"}


@pytest.mark.parametrize(("text", "error"), [
    ("mistakes:\n  - name: a\n    step: step-01\n    setup: {commands: x}\n    expect: {c: passed}\n    typo: 1\n",
     "tests.yaml:6: mistakes[0].typo: Extra inputs are not permitted"),
    ("mistakes:\n  - name: a\n    step: step-01\n    setup:\n      manifests:\n"
     "        - {apiVersion: v1, kind: Pod, metadata: {name: p, namespace: kube-system}}\n    expect: {c: passed}\n",
     "tests.yaml:5: mistakes[0].setup.manifests: a manifest must not set metadata.namespace"),
    ("mistakes:\n  - name: a\n    step: step-01\n    setup: {commands: x}\n    expect: {}\n",
     "tests.yaml:5: mistakes[0].expect: Dictionary should have at least 1 item"),
    ("mistakes:\n  - {name: a, step: s, setup: {commands: x}, expect: {c: passed}}\n"
     "  - {name: a, step: s, setup: {commands: x}, expect: {c: passed}}\n",
     "tests.yaml:1: (top level): two mistakes are named 'a'"),
])
def test_format_errors_name_file_line_and_field(tmp_path: Path, text: str, error: str) -> None:
    (tmp_path / "tests.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as raised:
        load_tests(tmp_path)
    assert any(line.startswith(f"{tmp_path}/{error}") for line in raised.value.lines), raised.value.lines
