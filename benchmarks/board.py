"""`labcheck board` for a class of N learners on one cluster, next to `labcheck grade` in a loop.

The class is benchmarks/prepare.py's (the Pods lab done up to step 6). Measured on the board's
process: the first grade of the class, CPU while idle (nothing changes), CPU and latency per
learner change (a learner deletes a Service: their step-04 cell changes; latency = the `class`
server-sent event naming them, after `kubectl delete` returned), memory (VmRSS, VmHWM), API
requests per minute (audit log). The yardstick: one `labcheck grade --roster --wait 0` pass, what
a loop of them costs in CPU and requests per minute.

    .venv/bin/python -m benchmarks.board [--students 200] [--changes 10] [--idle 30]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from benchmarks.measure import AuditWindow
from benchmarks.prepare import Klass, prepare
from benchmarks.run import env_for, labcheck_cmd

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def memory_mb(pid: int) -> dict[str, float]:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0]) / 1024
    return out


class Events:
    """The board's /api/events, read in a thread: (perf_counter, student indexes) per `class` event."""

    def __init__(self, url: str) -> None:
        self.seen: list[tuple[float, set[int]]] = []
        self.stream = urllib.request.urlopen(url + "api/events", timeout=600)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for raw in self.stream:
            line = raw.decode()
            if line.startswith("data: "):
                data = json.loads(line[6:])
                self.seen.append((time.perf_counter(), {s["index"] for s in data["students"]}))

    def after(self, since: float, index: int, timeout: float = 30) -> float:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for when, who in list(self.seen):
                if when >= since and index in who:
                    return when
            time.sleep(0.002)
        raise AssertionError(f"no event for student {index}")


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=60) as answer:
        return json.load(answer)


def board(klass: Klass, changes: int, idle: float) -> None:
    env = env_for(klass)
    cmd = [*labcheck_cmd(), "board", "--roster", str(klass.roster), "--steps", "all", "--files",
           str(klass.files), "--port", "0", "--interval", "3600", "--lang", "en"]
    audit = AuditWindow(klass.cluster.audit_log)
    audit.start()
    began = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=klass.root, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        url = "http://" + proc.stdout.readline().split("http://", 1)[1].split()[0]
        while True:
            data = get_json(url + "api/class")
            if all(c["state"] != "waiting" for s in data["students"] for c in s["steps"].values()):
                break
            time.sleep(0.2)
        first = time.perf_counter() - began
        first_requests = len(audit.requests())
        print(f"first grade of {len(data['students'])} students: {first:.1f}s, {first_requests} requests, "
              f"CPU {cpu_seconds(proc.pid):.1f}s, memory {memory_mb(proc.pid)}")
        index = {s["namespace"]: s["index"] for s in data["students"]}
        time.sleep(3)
        audit.start()
        cpu0 = cpu_seconds(proc.pid)
        time.sleep(idle)
        idle_cpu = cpu_seconds(proc.pid) - cpu0
        idle_requests = len(audit.requests(settle=0.5))
        print(f"idle {idle:g}s: CPU {idle_cpu:.2f}s ({100 * idle_cpu / idle:.1f} % of a core), "
              f"{idle_requests * 60 / idle:.1f} requests/min")
        events = Events(url)
        time.sleep(1)
        latencies = []
        audit.start()
        cpu0 = cpu_seconds(proc.pid)
        picked = klass.namespaces[:: max(1, len(klass.namespaces) // changes)][:changes]
        for ns in picked:
            klass.cluster.kubectl("delete", "service", "my-first-service2", "--wait=false", namespace=ns)
            done = time.perf_counter()
            latencies.append(events.after(done - 0.5, index[ns]) - done)
            time.sleep(1.0)
        spent = cpu_seconds(proc.pid) - cpu0 - idle_cpu / idle * len(picked) * 1.0
        change_requests = len(audit.requests(settle=0.5))
        median = statistics.median(latencies)
        print(f"learner changes: {len(picked)}, latency to the event median {median:.3f}s "
              f"(max {max(latencies):.3f}), CPU per change {spent / len(picked):.3f}s, "
              f"{change_requests} requests for them (logs, exec and HTTP checks of the student)")
        print(f"memory after: {memory_mb(proc.pid)}")
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def grade_loop(klass: Klass) -> None:
    out = klass.root / "results"
    shutil.rmtree(out, ignore_errors=True)
    cmd = [*labcheck_cmd(), "grade", "--roster", str(klass.roster), "--steps", "all", "--out", str(out),
           "--files", str(klass.files), "--jobs", "8", "--wait", "0", "--exit-zero"]
    audit = AuditWindow(klass.cluster.audit_log)
    audit.start()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    subprocess.run(cmd, env=env_for(klass), cwd=klass.root, capture_output=True, check=True)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    requests = len(audit.requests())
    print(f"yardstick `labcheck grade` pass: {wall:.1f}s wall, CPU {cpu:.1f}s, {requests} requests; "
          f"in a loop: {100 * cpu / wall:.0f} % of a core, {requests * 60 / wall:.0f} requests/min, "
          f"a change seen after {wall / 2:.1f}s on average ({wall:.1f}s at worst)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.board", description=__doc__)
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--changes", type=int, default=10)
    parser.add_argument("--idle", type=float, default=30.0)
    args = parser.parse_args(argv)
    from tests.cluster.handle import KubeCluster
    from tests.cluster.testenv import KwokCluster

    kwok = KwokCluster().start()
    root = Path(tempfile.mkdtemp(prefix="labcheck-board-bench-"))
    try:
        klass = prepare(KubeCluster.from_kwok(kwok), root, args.students)
        board(klass, args.changes, args.idle)
        grade_loop(klass)
        klass.close()
    finally:
        kwok.stop()
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
