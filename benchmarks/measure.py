"""Whole-process measurements: wall time and peak memory of a command, paired runs, audit counts."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

GRADER_AGENT = "labcheck/"  # grader/kube/'s User-Agent


@dataclass(frozen=True)
class Run:
    wall: float  # seconds
    peak_kb: int  # largest resident set of the command itself or any of its waited-for children
    code: int
    output: str
    cpu: float = 0.0  # user + system seconds of the command and its waited-for children


def run(cmd: Sequence[str], env: dict[str, str] | None = None, cwd: Path | None = None,
        keep_output: bool = False) -> Run:
    """One run from fork to exit, timed and measured by benchmarks/rss.py around the command
    (the wall time is the command's alone, not the launcher's start-up)."""
    out = subprocess.PIPE if keep_output else subprocess.DEVNULL
    with tempfile.NamedTemporaryFile(prefix="labcheck-rss-", delete=False) as handle:
        result = Path(handle.name)
    launcher = [sys.executable, "-S", str(Path(__file__).with_name("rss.py")), str(result)]
    try:
        proc = subprocess.Popen([*launcher, *cmd], env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        text = proc.stdout.read().decode(errors="replace") if proc.stdout is not None else ""
        proc.wait()
        wall, peak, code, cpu = result.read_text().split()
    finally:
        result.unlink(missing_ok=True)
    return Run(float(wall), int(peak), int(code), text, float(cpu))


@dataclass(frozen=True)
class Paired:
    a: list[Run]
    b: list[Run]

    @property
    def median_a(self) -> float:
        return statistics.median(r.wall for r in self.a)

    @property
    def median_b(self) -> float:
        return statistics.median(r.wall for r in self.b)

    @property
    def ratio(self) -> float:
        """Median of the per-pair ratios a/b: robust to the machine's speed drifting during the run."""
        return statistics.median(x.wall / y.wall for x, y in zip(self.a, self.b, strict=True))


def paired(a: Sequence[str], b: Sequence[str], pairs: int, env: dict[str, str] | None = None,
           cwd: Path | None = None, warmup: int = 1) -> Paired:
    """a, b, a, b, ... after `warmup` unrecorded pairs."""
    ra: list[Run] = []
    rb: list[Run] = []
    for i in range(warmup + pairs):
        x, y = run(a, env, cwd), run(b, env, cwd)
        if i >= warmup:
            ra.append(x)
            rb.append(y)
    return Paired(ra, rb)


def rotated(commands: dict[str, Sequence[str]], rounds: int, env: dict[str, str] | None = None,
            cwd: Path | None = None, warmup: int = 1) -> dict[str, list[Run]]:
    """Each command once per round, in turn (A B C D A B C D ...), after `warmup` unrecorded rounds:
    all of them see the same drift of a shared machine."""
    out: dict[str, list[Run]] = {name: [] for name in commands}
    for i in range(warmup + rounds):
        for name, cmd in commands.items():
            result = run(cmd, env, cwd)
            if i >= warmup:
                out[name].append(result)
    return out


def ratio(a: Sequence[Run], b: Sequence[Run]) -> float:
    """Median of the per-round ratios a/b."""
    return statistics.median(x.wall / y.wall for x, y in zip(a, b, strict=True))


def spread(runs: Sequence[Run]) -> str:
    walls = sorted(r.wall for r in runs)
    return f"median {statistics.median(walls):.3f}s (min {walls[0]:.3f}, max {walls[-1]:.3f}, n={len(walls)})"


class AuditWindow:
    """The API requests the grader made between `start()` and `requests()`, from the audit log."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.offset = 0

    def start(self) -> None:
        self.offset = self.log.stat().st_size

    def requests(self, settle: float = 1.0) -> list[dict[str, Any]]:
        time.sleep(settle)  # the API server writes audit events asynchronously
        with self.log.open("rb") as f:
            f.seek(self.offset)
            data = f.read()
        seen: dict[str, dict[str, Any]] = {}
        for line in data.splitlines():
            if b'"userAgent":"' + GRADER_AGENT.encode() not in line:
                continue
            event = json.loads(line)
            seen[event["auditID"]] = event  # exec/port-forward log two stages per request
        return list(seen.values())


def by_resource(events: list[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for ev in events:
        ref = ev.get("objectRef") or {}
        key = f"{ev.get('verb')} {ref.get('resource', ev.get('requestURI', '?').split('?')[0])}"
        if ref.get("subresource"):
            key += f"/{ref['subresource']}"
        if ev.get("verb") == "list" and not ref.get("namespace"):
            key += " (all namespaces)"
        if ev.get("verb") == "list" and "continue=" in ev.get("requestURI", ""):
            key += " next page"  # the same list, paged (limit 500): not a second fetch
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))
