"""The examples in the docs are real: every check-kind example validates, every kind has one."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from labcheck.checks import SPECS
from labcheck.spec import StepSpec

ROOT = Path(__file__).resolve().parents[2]


def test_every_check_kind_example_validates() -> None:
    text = (ROOT / "docs" / "check-kinds.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
    kinds = set()
    for block in blocks:
        checks = yaml.safe_load(block)
        StepSpec.model_validate({"id": "step-01", "title": "t", "checks": checks})
        kinds |= {c["kind"] for c in checks}
    assert kinds == set(SPECS), set(SPECS) - kinds
