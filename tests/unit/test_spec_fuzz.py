"""Hostile lab specs (hypothesis): wrong types, huge numbers, deep nesting, alias bombs, unknown
kinds, random YAML. Loading always ends in a lab or a SpecError whose every line is
`file:line: field: problem` (no traceback, no hang); YAML is never loaded unsafely.
"""

from __future__ import annotations

import copy
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labcheck.errors import SpecError
from labcheck.loader import BUILTIN_LABS, load_lab

PODS = BUILTIN_LABS / "pods"
STEP_IDS = ["step-02", "step-04", "step-05", "step-06", "step-07"]
STEPS = {s: yaml.safe_load((PODS / f"{s}.yaml").read_text(encoding="utf-8")) for s in STEP_IDS}
LAB = yaml.safe_load((PODS / "lab.yaml").read_text(encoding="utf-8"))
# file:line: field: problem; a field is names, [indexes] and ["quoted keys"], or one of the fixed words
FIELD = r'(?:\(top level\)|YAML (?:syntax )?error|(?:[A-Za-z0-9_-]+|\.|\[-?\d+\]|\["(?:[^"\\]|\\.)*"?\])+)'
LINE = re.compile(rf"^(?P<file>[^:]+\.yaml):(?P<line>\d+): (?P<field>{FIELD}): \S")
FUZZ = settings(max_examples=200, deadline=3000, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Values a careless (or hostile) author writes where something else belongs.
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([10**400, -(10**400), 1e308, -0.0]),
    st.text(max_size=30), st.sampled_from(["", "x" * 5000, "../../etc/passwd", "*", "{a: b}", "!!python/none",
                                           "not_a_kind", "ExecOutput", "pod_state ", "\x00\x1b[2J"]),
)
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                        st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                      max_leaves=12)


@pytest.fixture(scope="module")
def lab_dir() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="labcheck-fuzz-"))
    yield root
    shutil.rmtree(root, ignore_errors=True)


def write(root: Path, step: str, text: str, lab: dict[str, Any] | None = None) -> None:
    (root / "lab.yaml").write_text(yaml.safe_dump(lab or {**LAB, "steps": [step]}), encoding="utf-8")
    (root / f"{step}.yaml").write_text(text, encoding="utf-8")


def assert_spec_error_or_lab(root: Path) -> list[str]:
    """Load; a SpecError must say file:line: field: problem on every line. Returns its lines."""
    try:
        load_lab(root)
    except SpecError as exc:
        assert exc.lines
        for line in exc.lines:
            match = LINE.match(line)
            assert match, line
            path = Path(match["file"])
            assert path.parent == root, line
            assert 1 <= int(match["line"]) <= max(1, len(path.read_text(encoding="utf-8").splitlines()) + 1), line
        return exc.lines
    return []


def paths(data: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from paths(value, (*prefix, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from paths(value, (*prefix, i))


def replaced(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    out = copy.deepcopy(data)
    node = out
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return out


@FUZZ
@given(step=st.sampled_from(STEP_IDS), pick=st.integers(min_value=0), value=values)
def test_any_field_replaced_by_anything(lab_dir: Path, step: str, pick: int, value: Any) -> None:
    data = STEPS[step]
    where = list(paths(data))[1:]
    target = where[pick % len(where)]
    write(lab_dir, step, yaml.safe_dump(replaced(data, target, value), allow_unicode=True))
    assert_spec_error_or_lab(lab_dir)


@FUZZ
@given(step=st.sampled_from(STEP_IDS), index=st.integers(min_value=0, max_value=5),
       kind=st.text(min_size=1, max_size=20), extra=st.dictionaries(st.text(min_size=1, max_size=10), scalars,
                                                                      max_size=3))
def test_unknown_kinds_and_extra_fields(lab_dir: Path, step: str, index: int, kind: str,
                                        extra: dict[str, Any]) -> None:
    data = copy.deepcopy(STEPS[step])
    check = data["checks"][index % len(data["checks"])]
    check["kind"] = kind
    check.update({k: v for k, v in extra.items() if k != "kind"})
    write(lab_dir, step, yaml.safe_dump(data, allow_unicode=True))
    lines = assert_spec_error_or_lab(lab_dir)
    if kind not in {"pod_state", "service_shape", "http_reachable", "logs_contain", "exec_output",
                    "events_evidence", "object_exists", "object_absent", "manifest_file", "quiz", "nodes_ready"}:
        assert lines and any(".kind:" in line or "kind" in line for line in lines), lines


@FUZZ
@given(lab=st.dictionaries(st.sampled_from(["id", "title", "steps", "defaults", "pass_threshold", "other"]),
                           values, max_size=5))
def test_lab_yaml_replaced_by_anything(lab_dir: Path, lab: dict[str, Any]) -> None:
    write(lab_dir, "step-02", yaml.safe_dump(STEPS["step-02"]), lab={**LAB, **lab})
    assert_spec_error_or_lab(lab_dir)


@FUZZ
@given(text=st.text(alphabet=st.sampled_from(list("ab:-[]{}&*!|>'\"#%@`,?\n  \t0123")), max_size=300))
def test_random_yaml_text(lab_dir: Path, text: str) -> None:
    write(lab_dir, "step-02", text)
    assert_spec_error_or_lab(lab_dir)


def alias_bomb(levels: int, width: int) -> str:
    lines = ['a0: &a0 ["lol"]']
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "id: step-02\ntitle: bomb\nchecks: []\nbomb:\n" + "\n".join("  " + line for line in lines) + "\n"


@settings(max_examples=10, deadline=15_000, derandomize=True)  # a loaded 2-core machine is slow
@given(levels=st.integers(min_value=2, max_value=12), width=st.integers(min_value=2, max_value=12),
       depth=st.integers(min_value=600, max_value=60_000), flow=st.booleans())
def test_alias_bombs_and_deep_nesting(lab_dir: Path, levels: int, width: int, depth: int, flow: bool) -> None:
    write(lab_dir, "step-02", alias_bomb(levels, width))
    lines = assert_spec_error_or_lab(lab_dir)
    assert lines  # `bomb` is not a step field; a big one is stopped before it expands
    nested = "[" * depth + "]" * depth if flow else "".join("  " * i + "- \n" for i in range(min(depth, 3000)))
    write(lab_dir, "step-02", f"id: step-02\ntitle: deep\nchecks: {nested}\n" if flow else
          f"id: step-02\ntitle: deep\nchecks:\n{nested}")
    assert assert_spec_error_or_lab(lab_dir)


def test_python_tags_are_never_constructed(lab_dir: Path, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    write(lab_dir, "step-02", f"id: !!python/object/apply:os.system ['touch {marker}']\ntitle: x\nchecks: []\n")
    lines = assert_spec_error_or_lab(lab_dir)
    assert lines and not marker.exists()
