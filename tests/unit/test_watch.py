"""The watch engine (grader/kube/informer.py, watch.py) and the runner on it, over fake watch streams:
expiry (410 -> relist), a dropped connection (reconnect from the last resourceVersion), a refused
watch (-> polling, said once), and a change evaluated once."""

from __future__ import annotations

import queue
import time
from pathlib import Path
from typing import Any

from labcheck.core.i18n import Text
from labcheck.core.results import Outcome
from labcheck.kube.informer import Refused
from labcheck.kube.watch import WatchHub
from labcheck.loader import load_lab
from labcheck.runner import RunOptions, run_lab
from tests.unit.fakes import node, pod
from tests.unit.test_loader import make_lab


def versioned(obj: dict[str, Any], rv: int) -> dict[str, Any]:
    return {**obj, "metadata": {**obj["metadata"], "resourceVersion": str(rv)}}


class FakeStream:
    def __init__(self) -> None:
        self.queue: queue.Queue[Any] = queue.Queue()

    def events(self) -> Any:
        while True:
            item = self.queue.get(timeout=10)
            if item is None:
                return
            if isinstance(item, Exception):
                raise item
            yield item

    def close(self) -> None:
        self.queue.put(None)


class FakeSource:
    """Lists from `objects`; each watch() hands out the next stream (or raises `refuse`)."""

    def __init__(self, objects: dict[str, list[dict[str, Any]]], refuse: set[str] | None = None) -> None:
        self.objects, self.refuse = objects, refuse or set()
        self.rv = 10
        self.calls: list[tuple[str, str, str | None, str]] = []
        self.streams: queue.Queue[FakeStream] = queue.Queue()
        self.by_kind: dict[str, FakeStream] = {}

    def list_all(self, kind: str, namespace: str | None) -> tuple[list[dict[str, Any]], str]:
        self.calls.append(("list", kind, namespace, ""))
        return [versioned(o, self.rv) for o in self.objects.get(kind, [])], str(self.rv)

    def watch(self, kind: str, namespace: str | None, resource_version: str) -> FakeStream:
        self.calls.append(("watch", kind, namespace, resource_version))
        if kind in self.refuse:
            raise Refused("forbidden")
        stream = FakeStream()
        self.streams.put(stream)
        self.by_kind[kind] = stream
        return stream

    def next_stream(self) -> FakeStream:
        return self.streams.get(timeout=5)


def wait_until(what: str, ok: Any, timeout: float = 5.0) -> None:
    end = time.monotonic() + timeout
    while not ok():
        assert time.monotonic() < end, what
        time.sleep(0.01)


def test_list_then_watch_from_its_version_and_apply_events() -> None:
    source = FakeSource({"Pod": [pod("a")]})
    hub = WatchHub(source)
    try:
        assert [p["metadata"]["name"] for p in hub.list("Pod", "default")] == ["a"]
        stream = source.next_stream()
        assert source.calls[-1] == ("watch", "Pod", "default", "10")
        seen = hub.version
        stream.queue.put({"type": "ADDED", "object": versioned(pod("b"), 11)})
        assert hub.wait(seen, 5) > seen and hub.changed_since(seen) == {("Pod", "default")}
        stream.queue.put({"type": "BOOKMARK", "object": {"metadata": {"resourceVersion": "15"}}})
        stream.queue.put({"type": "DELETED", "object": versioned(pod("a"), 16)})
        wait_until("a deleted", lambda: [p["metadata"]["name"] for p in hub.list("Pod", "default")] == ["b"])
        assert hub.informers[("Pod", "default")].resource_version == "16"
    finally:
        hub.close()


def test_gone_relists_and_a_dropped_connection_watches_again_from_the_last_version() -> None:
    source = FakeSource({"Pod": [pod("a")]})
    hub = WatchHub(source)
    try:
        hub.list("Pod", "default")
        informer = hub.informers[("Pod", "default")]
        first = source.next_stream()
        first.queue.put({"type": "MODIFIED", "object": versioned(pod("a"), 12)})
        first.queue.put(ConnectionResetError("cut"))
        source.next_stream()
        assert source.calls[-1] == ("watch", "Pod", "default", "12")  # no relist for a reconnect
        assert informer.reconnects == 1 and informer.lists == 1
        source.rv = 20
        _current(informer).queue.put({"type": "ERROR", "object": {"kind": "Status", "code": 410}})
        source.next_stream()
        assert informer.relists == 1 and informer.lists == 2
        assert source.calls[-1] == ("watch", "Pod", "default", "20")
    finally:
        hub.close()


def _current(informer: Any) -> FakeStream:
    wait_until("watching", lambda: informer._stream is not None)
    stream: FakeStream = informer._stream
    return stream


def test_a_refused_watch_polls_and_says_so_once() -> None:
    notes: list[Text] = []
    source = FakeSource({"Pod": [pod("a")], "Node": [node()]}, refuse={"Pod", "Node"})
    hub = WatchHub(source, notes.append, poll_interval=0.05)
    try:
        hub.list("Pod", "default")
        hub.list("Node", None)
        wait_until("both poll", lambda: all(i.polling for i in hub.informers.values()))
        assert len(notes) == 1 and "watch" in notes[0].en and "监视" in notes[0].zh
        seen = hub.version
        source.objects["Pod"] = [pod("a"), pod("b")]
        source.rv = 30
        assert hub.wait(seen, 5) > seen
        wait_until("b listed", lambda: len(hub.list("Pod", "default")) == 2)
    finally:
        hub.close()


class WatchedCluster:
    """A ClusterReader whose lists are watched (as KubeCluster.watch_hub gives)."""

    def __init__(self, source: FakeSource) -> None:
        self.source = source
        self.hubs: list[WatchHub] = []

    def watch_hub(self, note: Any = None) -> WatchHub:
        self.hubs.append(WatchHub(self.source, note))
        return self.hubs[-1]

    def list(self, kind: str, namespace: str | None) -> list[dict[str, Any]]:
        raise AssertionError("--watch reads the watched lists")


def test_watch_run_evaluates_a_change_once_and_ends_when_it_passes(tmp_path: Path) -> None:
    lab = load_lab(make_lab(tmp_path))
    source = FakeSource({"Node": [node()], "Pod": [pod("web", ready=False)]})
    cluster = WatchedCluster(source)

    def learner() -> None:
        wait_until("Pods watched", lambda: "Pod" in source.by_kind)
        time.sleep(0.3)  # the checks wait for a change: no looks meanwhile
        source.by_kind["Pod"].queue.put({"type": "MODIFIED", "object": versioned(pod("web"), 11)})

    import threading

    threading.Thread(target=learner, daemon=True).start()
    started = time.monotonic()
    result = run_lab(lab, ["step-01"], cluster, RunOptions(namespace="default", watch=20))  # type: ignore[arg-type]
    assert time.monotonic() - started < 5
    checks = {c.check_id: c for c in result.checks}
    assert checks["pod"].outcome is Outcome.PASSED
    assert checks["pod"].attempts == 2  # the first look, then one for the one change
    assert checks["nodes"].attempts == 1
    assert [c[1] for c in source.calls if c[0] == "list"].count("Pod") == 1
    assert cluster.hubs[0]._closed
