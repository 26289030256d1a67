"""Running `labcheck test-lab` and reporting it: a line per case as pytest prints, the diff of
expected vs actual outcomes for a case that failed, checks that never fail, and JUnit for CI."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

from labcheck.core.results import ExitCode, RunResult
from labcheck.errors import ClusterError, LabcheckError, SpecError
from labcheck.labtests import LabTests, load_tests
from labcheck.reporters.safe import clean_xml
from labcheck.testlab import EMPTY, SOLUTION, Bench, CaseResult, ClusterProblem, TestLabRun


def prove(path: str, kubeconfig: str | None, context: str | None, select: tuple[str, ...],
          progress: Callable[[CaseResult], None] | None = None) -> TestLabRun:
    """Every case (or those whose name contains one of `select`) against the cluster."""
    from labcheck.kube import connect
    from labcheck.lint import tests_problems
    from labcheck.loader import load_lab
    from labcheck.session import checked_connection, grade

    lab = load_lab(path)
    tests, where = LabTests(), {}
    loaded = load_tests(lab.root)
    if loaded is not None:
        tests, located = loaded
        problems = tests_problems(tests, located, str(Path(lab.root) / "tests.yaml"), lab)
        if problems:
            raise SpecError([str(p) for p in problems])
        where = {m.name: f"tests.yaml:{located.line_of(('mistakes', i))}"
                 for i, m in enumerate(tests.mistakes)}
    cluster, target = connect(kubeconfig, context)

    def graded(steps: list[str], ns: str, files: Path, wait: float | None) -> RunResult:
        def opener(*_: object) -> object:
            return checked_connection(cluster, target, ns, lambda: True)
        return grade(lab, steps, kubeconfig=kubeconfig, context=target.context, namespace=ns,
                     files_dir=files, wait=wait, opener=opener)  # type: ignore[arg-type]

    bench = Bench(lab, tests, cluster, target.context, kubeconfig, graded)
    cases = [(EMPTY, None), (SOLUTION, None), *((m.name, m) for m in tests.mistakes)]
    chosen = [c for c in cases if not select or any(s.lower() in c[0].lower() for s in select)]
    if not chosen:
        raise LabcheckError(f"-k {' '.join(select)}: no case of {lab.id} has that in its name "
                            f"(cases: {', '.join(c[0] for c in cases)})")
    began, results = time.monotonic(), []
    for name, mistake in chosen:
        try:
            result = bench.run(name, mistake, where.get(name, ""))
        except (ClusterError, ClusterProblem) as exc:
            raise LabcheckError(f"{name}: the cluster (context {target.context}) could not be used: "
                                f"{exc}") from None
        results.append(result)
        if progress:
            progress(result)
    return TestLabRun(lab.id, target.context, tuple(results), len(chosen) == len(cases),
                      time.monotonic() - began)


def exit_code(run: TestLabRun) -> ExitCode:
    return ExitCode.OK if all(c.passed for c in run.cases) else ExitCode.CHECKS_FAILED


def case_line(case: CaseResult) -> str:
    return f"{'PASSED' if case.passed else 'FAILED'}  {case.name}  ({case.duration_s:.1f}s)"


def diff(case: CaseResult) -> list[str]:
    """The case's problems, then one line per check: `E` where expected and actual differ."""
    lines = [f"  {p}" for problem in case.problems for p in problem.splitlines()]
    if case.rows:
        width = max(len(r.check) for r in case.rows)
        wide = max(len(r.expected) for r in case.rows)
        lines.append(f"  {'check':<{width}}  {'expected':<{wide}}  actual")
        for row in case.rows:
            mark = " " if row.ok else "E"
            lines.append(f"{mark} {row.check:<{width}}  {row.expected:<{wide}}  {row.actual}")
            if not row.ok:
                lines.append(f"  {'':<{width}}  {'':<{wide}}  ({row.message})")
    return lines


def text_report(run: TestLabRun, with_cases: bool = True) -> str:
    """The report; without the case lines when they were printed as the cases ended."""
    out = [case_line(c) for c in run.cases] if with_cases else []
    failed = [c for c in run.cases if not c.passed]
    if failed:
        out += ["", "=" * 30 + " FAILURES " + "=" * 30]
        for case in failed:
            out += [f"___ {case.name}" + (f" ({case.where})" if case.where else "") + " ___", *diff(case), ""]
    warnings = []
    for check in run.always_passed():
        warnings.append(f"  {check}: passed in every case: a check that never fails tests nothing")
    for check, seen in run.never_failed():
        warnings.append(f"  {check}: no case made it fail (it was {', '.join(seen)})")
    if warnings:
        scope = "" if run.complete else " (of the cases selected with -k)"
        out += ["", "=" * 30 + f" WARNINGS{scope} " + "=" * 30, *warnings]
    passed = len(run.cases) - len(failed)
    out += ["", f"=== {run.lab_id} on context {run.context}: {passed} passed, {len(failed)} failed, "
                f"{len(warnings)} warning{'s' * (len(warnings) != 1)} in {run.duration_s:.1f}s ==="]
    return "\n".join(out).lstrip("\n") + "\n"


def junit_report(run: TestLabRun) -> str:
    """One testsuite, one testcase per case; a failure carries the diff, headed by the mistake's
    tests.yaml line (Jenkins' junit-10.xsd has no `file` or `line` on a testcase; `file` on the suite)."""
    failed = [c for c in run.cases if not c.passed]
    suite = ET.Element("testsuite", name=clean_xml(f"labcheck test-lab {run.lab_id}", 200),
                       tests=str(len(run.cases)), failures=str(len(failed)), errors="0", skipped="0",
                       time=f"{run.duration_s:.3f}", file="tests.yaml")
    for case in run.cases:
        node = ET.SubElement(suite, "testcase", classname=clean_xml(f"test-lab.{run.lab_id}", 200),
                             name=clean_xml(case.name, 200), time=f"{case.duration_s:.3f}")
        if not case.passed:
            wrong = [r for r in case.rows if not r.ok]
            message = case.problems[0].splitlines()[0] if case.problems else \
                f"{len(wrong)} check(s) not as expected: {', '.join(r.check for r in wrong)}"
            failure = ET.SubElement(node, "failure", message=clean_xml(message, 1000), type="failed")
            head = [f"{case.name} ({case.where})"] if case.where else []
            failure.text = clean_xml("\n".join(head + diff(case)), 8000)
    warnings = [f"{c}: passed in every case" for c in run.always_passed()]
    warnings += [f"{c}: no case made it fail" for c, _ in run.never_failed()]
    if warnings:
        ET.SubElement(suite, "system-out").text = clean_xml("warnings:\n" + "\n".join(warnings), 8000)
    root = ET.Element("testsuites", name="labcheck test-lab", tests=str(len(run.cases)),
                      failures=str(len(failed)), errors="0", time=f"{run.duration_s:.3f}")
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
