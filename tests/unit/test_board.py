"""The board's HTTP API without a browser, over fake watch streams: /api/class, the page without
JavaScript, escaping, projector mode, a student's checks, the event stream after one change (only
that student), stuck marks, and the token a non-loopback --host needs."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from labcheck.board.app import listen, loopback, make_app, serve
from labcheck.board.state import Board, Row, Target
from labcheck.board.targets import WatchedReader
from labcheck.kube.watch import WatchHub
from labcheck.loader import load_lab
from tests.unit.fakes import node, pod
from tests.unit.test_loader import make_lab
from tests.unit.test_watch import FakeSource, versioned, wait_until

EVIL = "<script>alert('x')</script>"


class Served:
    def __init__(self, board: Board, source: FakeSource, url: str) -> None:
        self.board, self.source, self.url = board, source, url

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
        request = urllib.request.Request(self.url + path, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()


def start(tmp_path: Path, token: str | None = None) -> tuple[Served, threading.Event]:
    lab = load_lab(make_lab(tmp_path))
    source = FakeSource({"Node": [node()], "Pod": [pod("web", namespace="a"),
                                                   pod("web", namespace="b", ready=False)]})
    cond = threading.Condition()
    hub = WatchHub(source, cond=cond)
    reader = WatchedReader(hub, None, all_namespaces=True)
    rows = [Row(0, "ada", "Ada", Target(reader, hub, "a", tmp_path)),
            Row(1, "evil", EVIL, Target(reader, hub, "b", tmp_path))]
    board = Board(lab, ["step-01"], rows, stuck_minutes=0.001, interval=600, cond=cond)
    stop = threading.Event()
    threading.Thread(target=board.run, args=(stop,), daemon=True).start()
    sock = listen("127.0.0.1", 0)
    threading.Thread(target=serve, args=(make_app(board, "en", token), sock), daemon=True).start()
    served = Served(board, source, f"http://127.0.0.1:{sock.getsockname()[1]}")
    wait_until("graded", lambda: all(r.result is not None for r in board.rows), 10)
    wait_until("serving", lambda: _up(served), 10)
    return served, stop


def _up(served: Served) -> bool:
    try:
        served.get("/api/class", {"Authorization": "Bearer t0ken"})
        return True
    except OSError:
        return False


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    board, stop = start(tmp_path)
    yield board
    stop.set()


def test_class_json_page_and_student(served: Served) -> None:
    status, body = served.get("/api/class")
    data = json.loads(body)
    assert status == 200 and [s["id"] for s in data["steps"]] == ["step-01"]
    cells = {s["id"]: s["steps"]["step-01"]["state"] for s in data["students"]}
    assert cells == {"ada": "passed", "evil": "partial"}
    rates = {c["check"]: (c["passed"], c["total"]) for c in data["checks"]}
    assert rates == {"nodes": (2, 2), "pod": (1, 2)}
    status, html = served.get("/")
    assert status == 200 and EVIL not in html and "&lt;script&gt;" in html  # escaped, never markup
    assert 'id="c-1-step-01" class="partial">1/2<' in html  # readable without JavaScript
    status, html = served.get("/student/1")
    assert status == 200 and "not Ready" in html and "&lt;script&gt;" in html
    assert served.get("/student/9")[0] == 404
    assert served.get("/api/class", {})[0] == 200
    request = urllib.request.Request(served.url + "/api/class", data=b"{}", method="POST")
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=5)
    assert info.value.code == 405  # read-only


def test_projector_mode_hides_names_ids_and_namespaces(served: Served) -> None:
    data = json.loads(served.get("/api/class?projector=1")[1])
    assert [(s["name"], s["id"], s["namespace"]) for s in data["students"]] == [
        ("Student 1", None, None), ("Student 2", None, None)]
    html = served.get("/?projector=1")[1]
    assert "Ada" not in html and "script&gt;" not in html and "Student 2" in html


def test_the_event_stream_sends_the_one_student_who_changed(served: Served) -> None:
    with urllib.request.urlopen(served.url + "/api/events", timeout=10) as stream:
        first = _event(stream)
        assert {s["index"] for s in first["students"]} == {0, 1}
        wait_until("Pods watched", lambda: "Pod" in served.source.by_kind, 5)
        changed = time.monotonic()
        served.source.by_kind["Pod"].queue.put(
            {"type": "MODIFIED", "object": versioned(pod("web", namespace="b"), 50)})
        update = _event(stream)
        assert time.monotonic() - changed < 2
    assert [(s["index"], s["steps"]["step-01"]["state"]) for s in update["students"]] == [(1, "passed")]
    assert served.board.rows[0].result is not None


def _event(stream: Any) -> dict[str, Any]:
    kind = ""
    while True:
        line = stream.readline().decode().rstrip("\n")
        if line.startswith("event: "):
            kind = line[7:]
        elif line.startswith("data: ") and kind == "class":
            return dict(json.loads(line[6:]))


def test_stuck_marks_a_step_without_progress(served: Served) -> None:
    time.sleep(0.1)  # --stuck-minutes 0.001 in this board
    data = json.loads(served.get("/api/class")[1])
    assert {s["id"]: s["stuck"] for s in data["students"]} == {"ada": None, "evil": "step-01"}


def test_a_token_is_needed_when_one_is_set(tmp_path: Path) -> None:
    served, stop = start(tmp_path, token="t0ken")
    try:
        assert served.get("/api/class")[0] == 403
        assert served.get("/api/class?token=wrong")[0] == 403
        assert served.get("/api/class?token=t0ken")[0] == 200
        assert served.get("/api/class", {"Authorization": "Bearer t0ken"})[0] == 200
        assert served.get("/", {"Cookie": "labcheck_board=t0ken"})[0] == 200
    finally:
        stop.set()
    assert loopback("127.0.0.1") and loopback("::1") and not loopback("0.0.0.0")


def test_a_node_heartbeat_regrades_nobody_a_namespace_change_only_that_namespace() -> None:
    from types import SimpleNamespace

    from labcheck.board.state import fingerprints

    def hub(node_rv: str, ready: str, pod_rv: str) -> Any:
        beat = {**node(), "metadata": {"name": "n", "uid": "u", "resourceVersion": node_rv}}
        beat["status"] = {"conditions": [{"type": "Ready", "status": ready, "lastHeartbeatTime": node_rv}]}
        pods = {("a", "web"): versioned(pod("web", namespace="a"), int(pod_rv)),
                ("b", "web"): versioned(pod("web", namespace="b"), 1)}
        return SimpleNamespace(informers={("Node", None): SimpleNamespace(objects={("", "n"): beat}, error=None),
                                          ("Pod", None): SimpleNamespace(objects=pods, error=None)})

    from labcheck.board.state import _mine, _moved

    def seen(*args: str) -> dict[str, Any]:
        return {ns: _mine(fingerprints(hub(*args)), ns) for ns in ("a", "b")}

    before = seen("1", "True", "1")
    assert not any(_moved(before[ns], seen("2", "True", "1")[ns]) for ns in "ab")  # a heartbeat
    assert all(_moved(before[ns], seen("3", "False", "1")[ns]) for ns in "ab")  # NotReady: everyone
    moved = seen("1", "True", "2")
    assert _moved(before["a"], moved["a"]) and not _moved(before["b"], moved["b"])
    assert not _moved({"Pod": before["a"]["Pod"]}, {**moved["b"], "Pod": before["a"]["Pod"], "Event": (1, 2)})
