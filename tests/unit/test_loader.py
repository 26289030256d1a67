from pathlib import Path

import pytest

from labcheck.errors import SpecError
from labcheck.loader import load_lab

LAB = """\
id: demo
title: {zh: 演示, en: Demo}
steps: [step-01]
"""

STEP = """\
id: step-01
title: {zh: 一, en: One}
checks:
  - id: nodes
    kind: nodes_ready
    title: {zh: 节点, en: Nodes}
  - id: pod
    kind: pod_state
    name: web
    title: {zh: Pod, en: Pod}
    depends_on: [nodes]
"""


def make_lab(tmp_path: Path, step: str = STEP, lab: str = LAB) -> Path:
    (tmp_path / "lab.yaml").write_text(lab, encoding="utf-8")
    (tmp_path / "step-01.yaml").write_text(step, encoding="utf-8")
    return tmp_path


def errors(tmp_path: Path, step: str = STEP, lab: str = LAB) -> list[str]:
    with pytest.raises(SpecError) as info:
        load_lab(make_lab(tmp_path, step, lab))
    return [line.replace(str(tmp_path) + "/", "") for line in info.value.lines]


def test_valid_lab_loads(tmp_path: Path) -> None:
    lab = load_lab(make_lab(tmp_path))
    assert lab.id == "demo" and [c.id for c in lab.step("step-01").checks] == ["nodes", "pod"]


def test_extra_field_names_file_line_and_path(tmp_path: Path) -> None:
    bad = STEP.replace("    name: web\n", "    name: web\n    port: 80\n")
    assert errors(tmp_path, bad) == ["step-01.yaml:10: checks[1].port: Extra inputs are not permitted"]


def test_wrong_type_and_missing_field(tmp_path: Path) -> None:
    bad = STEP.replace("    name: web\n", "    max_restarts: many\n")
    assert errors(tmp_path, bad) == [
        "step-01.yaml:7: checks[1].name: Field required",
        "step-01.yaml:9: checks[1].max_restarts: Input should be a valid integer, "
        "unable to parse string as an integer",
    ]


def test_unknown_kind(tmp_path: Path) -> None:
    bad = STEP.replace("kind: pod_state", "kind: pod_status")
    (line,) = errors(tmp_path, bad)
    assert line.startswith("step-01.yaml:8: checks[1].kind: Input tag 'pod_status' found using 'kind' "
                           "does not match any of the expected tags:")


def test_unknown_kubernetes_kind(tmp_path: Path) -> None:
    bad = STEP + "  - id: x\n    kind: object_exists\n    object_kind: Pods\n    name: a\n    title: x\n"
    (line,) = errors(tmp_path, bad)
    assert line.startswith("step-01.yaml:14: checks[2].object_kind: unknown kind 'Pods'; known kinds:")


def test_duplicate_ids_unknown_deps_and_cycles(tmp_path: Path) -> None:
    dup = STEP.replace("id: pod", "id: nodes")
    assert errors(tmp_path, dup) == [
        "step-01.yaml:7: checks[1].id: duplicate check id 'nodes' (first at checks[0])",
        "step-01.yaml:11: checks[1].depends_on[0]: a check cannot depend on itself"]
    unknown = STEP.replace("depends_on: [nodes]", "depends_on: [node]")
    assert errors(tmp_path, unknown) == ["step-01.yaml:11: checks[1].depends_on[0]: unknown check id 'node'"]
    cycle = STEP.replace("    title: {zh: 节点, en: Nodes}\n",
                         "    title: {zh: 节点, en: Nodes}\n    depends_on: [pod]\n")
    assert errors(tmp_path, cycle) == [
        "step-01.yaml:7: checks[0].depends_on: dependency cycle nodes -> pod -> nodes"]


def test_yaml_syntax_error_and_duplicate_key(tmp_path: Path) -> None:
    assert errors(tmp_path, STEP + "  - id: [unclosed\n")[0].startswith("step-01.yaml:13: YAML syntax error")
    dup = STEP.replace("    name: web\n", "    name: web\n    name: api\n")
    assert errors(tmp_path, dup) == ["step-01.yaml:10: checks[1].name: duplicate key"]


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i, name in enumerate("bcdefgh"):
        prev = "abcdefgh"[i]
        bomb += f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]\n"
    (line,) = errors(tmp_path, bomb)
    assert "expands too much" in line


def test_step_file_missing_and_id_mismatch(tmp_path: Path) -> None:
    lab = LAB.replace("[step-01]", "[step-01, step-02]")
    assert errors(tmp_path, lab=lab) == ["lab.yaml:3: steps[1]: no file step-02.yaml beside lab.yaml"]
    assert errors(tmp_path, STEP.replace("id: step-01", "id: step-1")) == [
        "step-01.yaml:1: id: 'step-1' does not match the file name 'step-01'"]


def test_lab_level_errors(tmp_path: Path) -> None:
    assert errors(tmp_path, lab=LAB + "pass_threshold: 2\n") == [
        "lab.yaml:4: pass_threshold: Input should be less than or equal to 1"]


def test_builtin_pods_lab_is_valid() -> None:
    lab = load_lab("pods")
    assert lab.spec.steps == [f"step-0{i}" for i in range(1, 8)]


def test_not_a_lab(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as info:
        load_lab(tmp_path / "nowhere")
    assert "no lab.yaml there" in info.value.lines[0]
