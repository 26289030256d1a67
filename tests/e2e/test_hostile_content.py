"""Hostile content from the cluster: a learner's container (or anyone who can write Events and
annotations) controls text labcheck prints. Logs, exec output, Event messages and annotations full
of XML breakers, control characters, ANSI escapes, invalid UTF-8 and megabytes of data must give
well-formed, XSD-valid JUnit, a terminal report without raw escapes, and bounded memory (logs read
with a tail and a byte limit: the audit log shows them in the request).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import xmlschema

from labcheck.kube import USER_AGENT
from tests.cluster.handle import KubeCluster
from tests.e2e.fault_lab import POD, XSD, labcheck, prepare, write_lab

pytestmark = pytest.mark.cluster
# Valid JSON text (what the API can store): escapes, C0/C1 controls, bidi override, XML breakers.
HOSTILE = ("EVIL \x1b[31mred\x1b[0m \x1b]0;pwned title\x07 \x1b[2J\x1b[H ]]></failure><injected a='1'/>"
           " <![CDATA[x]]> &amp;&lt; \x00nul \x07bel \x08bs \rcr \x9b31m \u202eevil-rtl \ufffe \U0001fffe end")
# ... and what only a byte stream (logs, exec) can carry: invalid UTF-8 and a lone surrogate's bytes.
HOSTILE_BYTES = HOSTILE.encode() + b" \xff\xfe\xc3\x28 \xed\xa0\x80 bytes"
RAW = ("\x1b", "\x00", "\x07", "\x08", "\x9b", "\u202e", "\r")
LOG_MB, EXEC_MB = 48, 4

CHECKS: list[dict[str, object]] = [
    {"id": "annotation", "kind": "object_exists", "object_kind": "Pod", "name": POD,
     "fields": [{"path": "metadata.annotations.note", "equals": "calm"}], "title": "note is calm"},
    {"id": "logs-match", "kind": "logs_contain", "pod": POD, "pattern": "EVIL", "title": "logs say EVIL"},
    {"id": "logs-miss", "kind": "logs_contain", "pod": POD, "pattern": "NEVER-THERE", "title": "logs"},
    {"id": "exec", "kind": "exec_output", "pod": POD, "command": ["cat", "/usr/share/nginx/html/index.html"],
     "pattern": "NEVER-THERE", "title": "exec"},
    {"id": "events", "kind": "events_evidence", "name": "ghost", "reasons": ["Started"], "title": "ghost"},
]


@dataclass
class Hostile:
    cluster: KubeCluster
    namespace: str
    lab: Path
    tmp: Path


@pytest.fixture(scope="module")
def hostile(kube_cluster: KubeCluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hostile]:
    tmp = tmp_path_factory.mktemp("hostile")
    namespace = f"hostile-{os.urandom(3).hex()}"
    kube_cluster.create_namespace(namespace)
    root = prepare(kube_cluster, namespace)
    pod = kube_cluster.get_json("pod", POD, namespace=namespace)
    pod["metadata"]["annotations"] = {"note": HOSTILE + " " + "x" * 100_000}
    for key in ("resourceVersion", "managedFields"):
        pod["metadata"].pop(key, None)
    kube_cluster.kubectl("apply", "-f", "-", namespace=namespace, input=json.dumps(pod))
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    kube_cluster.kubectl("apply", "-f", "-", namespace=namespace, input=json.dumps({
        "apiVersion": "v1", "kind": "Event", "metadata": {"name": "ghost.hostile", "namespace": namespace},
        "involvedObject": {"kind": "Pod", "name": "ghost", "namespace": namespace, "uid": "ghost-uid"},
        "reason": "Failed", "type": "Warning", "message": HOSTILE + " " + "y" * 50_000,
        "firstTimestamp": now, "lastTimestamp": now, "count": 1, "source": {"component": "kubelet"}}))
    # Logs: megabytes of CRI lines, hostile bytes in the last ones (the tail labcheck reads).
    logs = kube_cluster.write_pod_logs(namespace, POD, ["placeholder"])
    line = b"2026-11-25T10:00:00.000000000Z stdout F " + b"filler " * 20 + b"\n"
    with logs.open("wb") as out:
        out.write(line * (LOG_MB * 1024 * 1024 // len(line)))
        for _ in range(3):
            out.write(b"2026-11-25T10:00:01.000000000Z stdout F " + HOSTILE_BYTES.replace(b"\n", b" ") + b"\n")
    (root / "usr/share/nginx/html/index.html").write_bytes(
        HOSTILE_BYTES + b"\n" + (b"A" * 1023 + b"\n") * (EXEC_MB * 1024))
    yield Hostile(kube_cluster, namespace, write_lab(tmp / "lab", CHECKS), tmp)
    kube_cluster.kubectl("delete", "namespace", namespace, "--wait=false", check=False)


def run(h: Hostile, *args: str) -> tuple[str, str, int]:
    """labcheck step-01 with `args`; stdout, stderr, and its peak memory in MiB."""
    # VmHWM is the peak of this program's own memory; getrusage's ru_maxrss would carry over the
    # peak of the forking parent (pytest, after a test that held an image in memory) across exec
    probe = ("import atexit, runpy, sys; "
             "atexit.register(lambda: sys.stderr.write('MAXRSS=%s\\n' % next("
             "l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM:')))); "
             "sys.argv = ['labcheck'] + sys.argv[1:]; runpy.run_module('labcheck', run_name='__main__')")
    proc = labcheck("step-01", "--lab", str(h.lab), "--kubeconfig", str(h.cluster.kubeconfig), "-n",
                    h.namespace, "--wait", "0", "-v", *args, cwd=h.tmp, runner=[sys.executable, "-c", probe])
    assert proc.returncode == 1, proc.stdout[-2000:] + proc.stderr[-2000:]  # failed/pending, graded
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    rss = int(proc.stderr.rsplit("MAXRSS=", 1)[1].split()[0]) // 1024
    return proc.stdout, proc.stderr, rss


def test_text_report_has_no_raw_escapes_and_memory_stays_bounded(hostile: Hostile) -> None:
    out, err, rss = run(hostile)
    assert "EVIL" in out and "red" in out  # the text is shown, cleaned, not dropped
    for raw in RAW:
        assert raw not in out and raw not in err, repr(raw)
    assert len(out) < 100_000
    assert rss < 250, f"{rss} MiB for {LOG_MB} MB of logs and {EXEC_MB} MB of exec output"
    logs = [e["requestURI"] for e in hostile.cluster.audit_events(
        namespace=hostile.namespace, subresource="log", user_agent=USER_AGENT)]
    assert logs and all("tailLines=1000" in uri and "limitBytes=" in uri for uri in logs), logs


def test_junit_is_well_formed_and_schema_valid(hostile: Hostile) -> None:
    junit = hostile.tmp / "hostile.xml"
    out, _, _ = run(hostile, "-o", "junit", "--junit-xml", str(junit))
    schema = xmlschema.XMLSchema(str(XSD))
    for text in (junit.read_text(encoding="utf-8"), out):
        schema.validate(text)
        tree = ET.fromstring(text)
        assert tree.find(".//injected") is None  # no element smuggled in
        cases = {c.get("name", "").split(" ")[0]: c for c in tree.iter("testcase")}
        assert len(cases) == len(CHECKS)
        body = "".join(tree.itertext())
        assert "EVIL" in body and "]]>" in body  # kept as text
        for raw in RAW:
            assert raw not in text, repr(raw)


def test_json_and_markdown_are_clean(hostile: Hostile) -> None:
    report = hostile.tmp / "hostile.json"
    markdown, _, _ = run(hostile, "-o", "markdown", "--json-report", str(report))
    data = json.loads(report.read_text(encoding="utf-8"))
    checks = {c["id"]: c for s in data["steps"] for c in s["checks"]}
    assert {c["status"] for c in checks.values()} <= {"passed", "failed", "pending"}, checks
    assert checks["logs-match"]["status"] == "passed" and checks["exec"]["status"] == "failed"
    assert checks["annotation"]["status"] == "failed" and checks["events"]["status"] == "failed"
    texts = list(strings(data))
    for raw in RAW:
        assert not [t for t in texts if raw in t], repr(raw)
        assert raw not in markdown, repr(raw)
    flat = json.dumps(data, ensure_ascii=False)
    assert "<injected" not in markdown and "EVIL" in markdown
    assert len(flat) < 200_000


def strings(value: object) -> Iterator[str]:
    """Every string (keys too) in parsed JSON."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)
