"""Architecture rules that keep labcheck fast and honest."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_only_grader_kube_imports_kubernetes() -> None:
    offenders = []
    for path in [*ROOT.glob("grader/**/*.py"), *ROOT.glob("checks/*.py")]:
        if path.parent == ROOT / "grader" / "kube":
            continue
        if re.search(r"^\s*(from|import)\s+kubernetes\b", path.read_text(encoding="utf-8"), re.M):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_help_and_list_do_not_import_the_kubernetes_client() -> None:
    code = ("import sys; from grader.cli import main\n"
            "try:\n    main(['list'], standalone_mode=False)\nexcept SystemExit:\n    pass\n"
            "print('kubernetes' in sys.modules, 'pydantic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.stdout.strip().endswith("False True"), out.stdout + out.stderr
