"""The real `labcheck` command line in a subprocess, as a user runs it (shared by the test suites)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# validated labs (labcheck/labcache.py) for this test session only: the first run of a lab
# validates it, the later ones take the light path, and nothing is left in the user's cache
LAB_CACHE = tempfile.mkdtemp(prefix="labcheck-test-cache-")


def labcheck(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None, timeout: float = 120,
             runner: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m labcheck ARGS` with none of the caller's LABCHECK_*/KUBECONFIG/JOB_* settings, English
    locale, no colour; `timeout` only guards against a hang (the test then fails). The progress file
    goes to a fresh folder unless `env` names one (XDG_STATE_HOME): no run remembers another's."""
    full = {k: v for k, v in os.environ.items() if not k.startswith(("LABCHECK_", "KUBECONFIG", "JOB_"))}
    full = {k: v for k, v in full.items() if k != "XDG_STATE_HOME"}
    full.update({"LANG": "en_US.UTF-8", "NO_COLOR": "1", **(env or {})})
    command = runner or [sys.executable, "-m", "labcheck"]
    with tempfile.TemporaryDirectory(prefix="labcheck-state-") as state:
        full.setdefault("XDG_STATE_HOME", state)
        full.setdefault("XDG_CACHE_HOME", LAB_CACHE)
        return subprocess.run([*command, *args], cwd=cwd, env=full, capture_output=True, text=True,
                              errors="replace", timeout=timeout)
