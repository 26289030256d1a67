"""Submitted JUnit XML (`labcheck STEP --junit-xml FILE` or `-o junit`) read as a receipt for `collect`.

JUnit carries outcomes, the lab, the scenario digest, context, namespace and the time of the run,
but no evidence (uids, nodes): copying is detected from receipts only, digest and time from both.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from labcheck.receipts import RECEIPT_FORMAT

MAX_JUNIT_BYTES = 4 << 20

_CHECK_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
_OUTCOME = {"failure": "failed", "error": "error", "skipped": "skipped"}


def _outcome(case: ET.Element) -> str:
    for child in case:
        if child.tag in _OUTCOME:
            if child.tag == "failure" and child.get("type") == "pending":
                return "pending"
            return _OUTCOME[child.tag]
    return "passed"


def read_junit(path: Path) -> dict[str, Any]:
    """A receipt-shaped dict from a labcheck JUnit file; ValueError if it is not one."""
    if path.stat().st_size > MAX_JUNIT_BYTES:
        raise ValueError(f"larger than {MAX_JUNIT_BYTES} bytes")
    try:
        root = ET.fromstring(path.read_bytes())  # no DTDs or entities are expanded by ElementTree
    except ET.ParseError as exc:
        raise ValueError(f"not XML: {exc}") from None
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    checks: list[dict[str, Any]] = []
    props: dict[str, str] = {}
    stamps: list[str] = []
    for suite in suites:
        suite_props = {p.get("name", ""): p.get("value", "") for p in suite.iter("property")}
        props = {**suite_props, **props}
        if suite.get("timestamp"):
            stamps.append(str(suite.get("timestamp")))
        for case in suite.iter("testcase"):
            step = str(case.get("classname", "")).rpartition(".")[2]
            found = _CHECK_ID.match(str(case.get("name", "")))  # "id: title" or "id：标题"
            check = found.group(0) if found else ""
            outcome = _outcome(case)
            checks.append({"step": step, "check": check, "outcome": outcome, "graded": outcome != "error",
                           "evidence": {}})
    if not checks or "lab" not in props:
        raise ValueError("not a labcheck JUnit report (no testcases or no lab property)")
    when = max(stamps) if stamps else ""
    return {"format": RECEIPT_FORMAT, "source": "junit", "lab": props["lab"],
            "scenario_digest": props.get("scenario_digest", ""), "context": props.get("context", ""),
            "namespace": props.get("namespace", ""), "started_at": when, "finished_at": when,
            "cluster": {}, "objects": [], "checks": checks}
