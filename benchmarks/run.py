"""`python -m benchmarks`: labcheck against the kubectl verify script, measured side by side.

Starts the local control plane (or reuses one: --kubeconfig), prepares the Pods lab in N
namespaces, and prints figures and ratios against the goals of issue 7. Run on demand only.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks.measure import AuditWindow, by_resource, ratio, rotated, run, spread
from benchmarks.prepare import Klass, clean, prepare

ROOT = Path(__file__).resolve().parents[1]
VERIFY = ROOT / "benchmarks" / "verify.sh"
GOALS = {"step04_ratio": 0.5, "kuttl_ratio": 2.0, "step04_cpu_s": 0.15, "learners_per_cpu_s": 25.0,
         "peak_mb": 150.0, "help_s": 0.3, "local_s": 0.15}


# what is measured (--labcheck): the `labcheck` command pip installed beside this interpreter, as
# learners run it (`python -m labcheck` also pays for runpy finding the package: ~8 ms more)
_SCRIPT = Path(sys.executable).parent / "labcheck"
LABCHECK = [str(_SCRIPT)] if _SCRIPT.is_file() else [sys.executable, "-m", "labcheck"]


def labcheck_cmd() -> list[str]:
    return list(LABCHECK)


def base_env() -> dict[str, str]:
    # PYTHONDONTWRITEBYTECODE (set in some shells and CI images) would measure every labcheck module
    # compiled from source at each start; `pip install` writes the bytecode a user's runs read
    skip = ("LABCHECK_", "KUBECONFIG", "PYTHONDONTWRITEBYTECODE")
    return {k: v for k, v in os.environ.items() if not k.startswith(skip)}


def env_for(klass: Klass) -> dict[str, str]:
    env = base_env()
    env.update({"KUBECTL": klass.cluster.kubectl_path, "KUBECONFIG": str(klass.cluster.kubeconfig),
                "LANG": "C.UTF-8", "NO_COLOR": "1"})
    return env


def goal(ok: bool) -> str:
    return "MET" if ok else "NOT MET"


def startup(runs: int) -> dict[str, float]:
    print("\n## c. start-up (no cluster; the first run of each validates and caches the lab, not counted)")
    out: dict[str, float] = {}
    quiz = Path(tempfile.mkdtemp(prefix="labcheck-bench-quiz-"))
    answers = ROOT / "scenarios" / "pods" / "solutions" / "quiz-answers.yaml"
    shutil.copy(answers, quiz / "labcheck-answers.yaml")
    env = {**base_env(), "KUBECONFIG": str(quiz / "no-cluster")}
    local = {"--help": ["--help"], "list": ["list"], "explain": ["explain", "step-04"],
             "quiz step": ["step-01", "--no-progress"]}
    for name, args in local.items():
        results = [run([*labcheck_cmd(), *args], env, quiz) for _ in range(runs + 1)][1:]
        out[name] = statistics.median(r.wall for r in results)
        peak = max(r.peak_kb for r in results) / 1024
        cpu = statistics.median(r.cpu for r in results)
        print(f"labcheck {name:<10} {spread(results)}  CPU median {cpu:.3f}s  peak {peak:.0f} MB")
    baseline = [run([sys.executable, "-c", "pass"]) for _ in range(runs + 1)][1:]
    print(f"python -c pass  {spread(baseline)}  (the interpreter alone)")
    ok = out["--help"] <= GOALS["help_s"]
    print(f"goal --help <= {GOALS['help_s']}s: {out['--help']:.3f}s -> {goal(ok)}")
    for name in ("list", "explain", "quiz step"):
        ok = out[name] <= GOALS["local_s"]
        print(f"goal {name} <= {GOALS['local_s']}s: {out[name]:.3f}s -> {goal(ok)}")
    for args in (["list"], ["step-01", "--no-progress"]):
        print(f"top imports (cumulative ms) of `labcheck {' '.join(args)}`:")
        print(import_offenders(args, env, quiz))
    shutil.rmtree(quiz, ignore_errors=True)
    return out


def import_offenders(args: list[str], env: dict[str, str], cwd: Path, top: int = 8) -> str:
    proc = run([sys.executable, "-X", "importtime", "-m", "labcheck", *args], env, cwd, keep_output=True)
    rows = []
    for line in proc.output.splitlines():
        found = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if found and len(found.group(3)) <= 3:  # top-level imports and their direct children
            rows.append((int(found.group(2)), found.group(4)))
    rows.sort(reverse=True)
    return "\n".join(f"  {us / 1000:7.1f}  {name}" for us, name in rows[:top])


def step04(klass: Klass, pairs: int, yardsticks: tuple[str, ...] = ("kuttl", "Chainsaw")) -> float:
    print("\n## a. `labcheck step-04` vs verify.sh, kuttl and Chainsaw (one learner, whole process)")
    from benchmarks.yardsticks import commands

    ns, sid = klass.namespaces[0], "s000"
    env, cwd = env_for(klass), klass.files / sid
    lab = [*labcheck_cmd(), "step-04", "-n", ns, "--no-progress"]
    tools = {"labcheck": lab, "verify.sh": ["bash", str(VERIFY), ns], **commands(ns, klass.root, yardsticks)}
    for name, cmd in tools.items():
        first = run(cmd, env, cwd, keep_output=True)  # also validates and caches the lab for labcheck
        assert first.code == 0, f"{name} did not pass: {cmd}\n{first.output}"
    audit = AuditWindow(klass.cluster.audit_log)
    audit.start()
    run(lab, env, cwd)
    events = audit.requests()
    results = rotated(tools, pairs, env, cwd)
    for name, runs in results.items():
        print(f"{name:<10} {spread(runs)}  CPU median {statistics.median(r.cpu for r in runs):.3f}s")
    print(f"API requests of one `labcheck step-04`: {len(events)} {by_resource(events)}")
    mine = results["labcheck"]
    cpu = statistics.median(r.cpu for r in mine)
    print(f"\n| ratio (median of {pairs} rounds, each tool once per round) | value | goal |")
    print("|---|---|---|")
    for name, limit in (("verify.sh", GOALS["step04_ratio"]), ("kuttl", GOALS["kuttl_ratio"]),
                        ("Chainsaw", None)):
        if name not in results:
            continue
        value = ratio(mine, results[name])
        verdict = f"<= {limit} {goal(value <= limit)}" if limit is not None else "-"
        print(f"| labcheck/{name} | {value:.2f} | {verdict} |")
    print(f"| labcheck step-04 CPU | {cpu:.3f} s | <= {GOALS['step04_cpu_s']} s "
          f"{goal(cpu <= GOALS['step04_cpu_s'])} |")
    return ratio(mine, results["verify.sh"])


def outcome_counts(out: Path) -> dict[str, int]:
    """step/check: outcome -> how many students, to see that every run graded the same thing."""
    counts: dict[str, int] = {}
    for record in sorted(out.glob("students/*/record.json")):
        for step in json.loads(record.read_text())["run"]["steps"]:
            for check in step["checks"]:
                key = f"{step['step_id']}/{check['check_id']}={check['outcome']}"
                counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items()))


def distinct_reads(steps: list[str]) -> dict[str, int]:
    from labcheck.loader import load_lab
    from labcheck.rbac import reads_of

    lab = load_lab("pods")
    return {s: len({r for c in lab.step(s).checks for r in reads_of(c)}) for s in steps}


def roster_of(klass: Klass, n: int) -> Path:
    """The first n learners of the prepared class (a smaller class on the same cluster)."""
    rows = klass.roster.read_text(encoding="utf-8").splitlines()
    path = klass.root / f"roster-{n}.csv"
    path.write_text("\n".join(rows[:n + 1]) + "\n", encoding="utf-8")
    return path


def batch(klass: Klass, jobs: int, wait: str, sample: int, n: int | None = None) -> dict[str, float]:
    n = n or len(klass.namespaces)
    print(f"\n## b. batch: {n} namespaces x all steps (`labcheck grade --roster`, --jobs {jobs}, "
          f"--wait {wait})")
    env = env_for(klass)
    out = klass.root / "results"
    shutil.rmtree(out, ignore_errors=True)
    cmd = [*labcheck_cmd(), "grade", "--roster", str(roster_of(klass, n)), "--steps", "all",
           "--out", str(out), "--files", str(klass.files), "--jobs", str(jobs), "--wait", wait, "--exit-zero"]
    audit = AuditWindow(klass.cluster.audit_log)
    audit.start()
    result = run(cmd, env, klass.root, keep_output=True)
    events = audit.requests()
    assert result.code == 0, result.output
    print(result.output.strip().splitlines()[-1] if result.output.strip() else "(no output)")
    print(f"outcomes: {outcome_counts(out)}")
    reads = distinct_reads(["step-02", "step-04", "step-05", "step-06", "step-07"])
    per_student = len(events) / n
    per_step = per_student / len(reads)
    budget = statistics.mean(reads.values())
    rate = n / result.cpu if result.cpu else 0.0
    print(f"wall {result.wall:.2f}s, labcheck CPU {result.cpu:.2f}s ({result.cpu / n * 1000:.1f} ms per "
          f"learner, {rate:.1f} learners/s per core), peak RSS {result.peak_kb / 1024:.0f} MB "
          "(the labcheck process's own)")
    print(f"API requests: {len(events)} in all, {per_student:.2f} per student, {per_step:.2f} per student "
          f"per cluster step (distinct reads per step: {reads}, mean {budget:.1f})")
    print(f"  by resource: {by_resource(events)}")
    env_v = env_for(klass)
    picked = klass.namespaces[:n][:: max(1, n // sample)][:sample]
    runs = [run(["bash", str(VERIFY), ns], env_v) for ns in picked]
    assert all(r.code == 0 for r in runs), "verify.sh failed on a prepared namespace"
    each = statistics.mean(r.wall for r in runs)
    print(f"yardstick: verify.sh x {n} sequentially = {each * n:.1f}s (extrapolated from {len(runs)} "
          f"sampled runs, mean {each:.3f}s; it covers step-04 only)")
    print(f"ratio batch/yardstick: {result.wall / (each * n):.3f}")
    print(f"goal >= {GOALS['learners_per_cpu_s']:g} learners/s per core of labcheck CPU: {rate:.1f} -> "
          f"{goal(rate >= GOALS['learners_per_cpu_s'])}")
    print(f"goal peak memory <= {GOALS['peak_mb']} MB: {result.peak_kb / 1024:.0f} MB -> "
          f"{goal(result.peak_kb / 1024 <= GOALS['peak_mb'])}")
    print(f"goal requests per student per step <= distinct reads: {per_step:.2f} <= {min(reads.values())} "
          f"(smallest step) -> {goal(per_step <= min(reads.values()))}")
    return {"wall": result.wall, "peak_mb": result.peak_kb / 1024, "per_step": per_step, "cpu": result.cpu}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--students", default="200",
                        help="namespaces to prepare (default 200); 50/200/500 prepares 500 and grades "
                             "the first 50, 200, then all 500")
    parser.add_argument("--pairs", type=int, default=10, help="interleaved pairs for step-04 (default 10)")
    parser.add_argument("--runs", type=int, default=10, help="runs of --help and list (default 10)")
    parser.add_argument("--jobs", type=int, default=8, help="labcheck grade --jobs (default 8)")
    parser.add_argument("--wait", default="0", help="labcheck grade --wait (default 0: one look)")
    parser.add_argument("--sample", type=int, default=20, help="verify.sh runs to extrapolate from")
    parser.add_argument("--only", default="startup,step04,batch", help="comma-separated parts")
    parser.add_argument("--yardsticks", default="kuttl,Chainsaw",
                        help="Go checkers to compare step-04 with (built once from the Go module proxy)")
    parser.add_argument("--kubeconfig", type=Path, default=None,
                        help="reuse a cluster from `python -m tests.cluster.testenv up` (its kubeconfig)")
    parser.add_argument("--labcheck", type=Path, default=None,
                        help="the labcheck executable to measure (default: this venv's `python -m labcheck`)")
    args = parser.parse_args(argv)
    if args.labcheck:
        LABCHECK[:] = [str(args.labcheck.resolve())]
    parts = set(args.only.split(","))
    print(f"# machine: {os.cpu_count()} CPUs, {_cpu_model()}, {_mem_gb():.0f} GB; "
          f"python {sys.version.split()[0]}; labcheck: {' '.join(LABCHECK)}")
    if "startup" in parts:
        startup(args.runs)
    if not parts & {"step04", "batch"}:
        return 0
    from tests.cluster.handle import KubeCluster
    from tests.cluster.testenv import KwokCluster

    kwok = KwokCluster.attach(args.kubeconfig) if args.kubeconfig else KwokCluster().start()
    assert kwok is not None, f"no test cluster at {args.kubeconfig}"
    cluster = KubeCluster.from_kwok(kwok)
    root = Path(tempfile.mkdtemp(prefix="labcheck-bench-"))
    sizes = sorted({int(x) for x in re.split(r"[/,]", str(args.students)) if x})
    klass = prepare(cluster, root, sizes[-1])
    try:
        if "step04" in parts:
            step04(klass, args.pairs, tuple(args.yardsticks.split(",")))
        if "batch" in parts:
            figures = {n: batch(klass, args.jobs, args.wait, args.sample, n) for n in sizes}
            if len(figures) > 1:
                print("\n## batch by class size")
                print("| learners | wall | labcheck CPU per learner | learners/s per core | peak RSS |")
                print("|---|---|---|---|---|")
                for n, f in figures.items():
                    print(f"| {n} | {f['wall']:.2f} s | {f['cpu'] / n * 1000:.1f} ms | {n / f['cpu']:.1f} | "
                          f"{f['peak_mb']:.0f} MB |")
    finally:
        if args.kubeconfig:
            clean(cluster, klass)
        else:
            klass.close()
            kwok.stop()
        shutil.rmtree(root, ignore_errors=True)
    return 0


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "?"


def _mem_gb() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            return int(line.split()[1]) / 1024 / 1024
    return 0.0
