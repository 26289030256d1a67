"""Architecture rules that keep labcheck fast and honest."""

from __future__ import annotations

import os
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


def test_help_and_list_do_not_import_the_kubernetes_client(tmp_path: Path) -> None:
    """Nor pydantic once the lab is cached (tests/unit/test_labcache.py): the first `list`
    validates the lab, the second reads it back."""
    code = ("import sys; from labcheck.cli import main\n"
            "try:\n    main(['list'], standalone_mode=False)\nexcept SystemExit:\n    pass\n"
            "print('kubernetes' in sys.modules, 'pydantic' in sys.modules)")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    seen = [subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                           env=env) for _ in range(2)]
    assert seen[0].stdout.strip().endswith("False True"), seen[0].stdout + seen[0].stderr
    assert seen[1].stdout.strip().endswith("False False"), seen[1].stdout + seen[1].stderr


def _labcheck_imports(path: Path) -> set[str]:
    return set(re.findall(r"^\s*(?:from|import)\s+(labcheck(?:\.\w+)*)", path.read_text(encoding="utf-8"), re.M))


def test_checks_and_core_sit_below_the_engine() -> None:
    """labcheck.core imports only itself; check kinds import only core and each other; so no circle
    runs between the kinds and the engine that runs them."""
    bad = []
    for path in ROOT.glob("grader/core/*.py"):
        bad += [f"{path.name}: {m}" for m in _labcheck_imports(path) if not m.startswith("labcheck.core")]
    for path in ROOT.glob("checks/*.py"):
        bad += [f"checks/{path.name}: {m}" for m in _labcheck_imports(path)
                if not m.startswith(("labcheck.core", "labcheck.checks"))]
    assert bad == []


def test_one_students_run_does_not_reach_into_batch() -> None:
    for name in ("session.py", "runner.py", "receipts.py", "cli.py"):
        assert not [m for m in _labcheck_imports(ROOT / "grader" / name) if m.startswith("labcheck.batch")], name


def test_python_dash_m_labcheck_runs() -> None:
    out = subprocess.run([sys.executable, "-m", "labcheck", "--version"], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0 and "0.1.0" in out.stdout, out.stdout + out.stderr


def test_data_classes_come_from_labcheck_core_record() -> None:
    """The standard library's dataclasses costs ~1 ms a class at every start (labcheck/core/record.py)."""
    offenders = [str(p.relative_to(ROOT)) for p in [*ROOT.glob("grader/**/*.py"), *ROOT.glob("checks/*.py")]
                 if re.search(r"^\s*(from dataclasses import|import dataclasses)", p.read_text(encoding="utf-8"), re.M)]
    assert offenders == []
