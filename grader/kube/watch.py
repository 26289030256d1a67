"""Watched lists for `--watch` and the board: one informer per (kind, namespace or all), and a
"changed" signal, so a waiting run sleeps until the cluster changes instead of listing again.

WatchHub.list() is a ClusterReader's list() over what the informers hold; wait() returns when
anything changed since a version the caller saw, and changed_since() says which lists did.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from labcheck.core.i18n import Text, msg
from labcheck.core.kinds import kind_info
from labcheck.errors import ClusterError, status_error, transport_error
from labcheck.kube.informer import Expired, Informer, Key, Refused, Source, timeout_seconds
from labcheck.kube.wire import Connection, ProtocolError, Response

if TYPE_CHECKING:
    from labcheck.kube.client import KubeCluster

PAGE_SIZE = 500


class _HttpStream:
    def __init__(self, response: Response, conn: Connection) -> None:
        self.response, self.conn = response, conn

    def events(self) -> Iterator[dict[str, Any]]:
        try:
            for line in iter(self.response.readline, b""):
                if line.strip():
                    event = json.loads(line)
                    if isinstance(event, dict):
                        yield event
        except (ProtocolError, ValueError) as exc:  # cut short, or closed meanwhile (a closed file)
            raise ConnectionResetError(str(exc)) from None
        finally:
            self.conn.close()  # in the reading thread: a connection is not safe across threads

    def close(self) -> None:
        """From any thread: the socket shut down, so that a blocked read returns."""
        sock = self.conn.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class KubeSource:
    """Lists and watches over KubeCluster's transport (the same proxy, TLS and credentials)."""

    def __init__(self, cluster: KubeCluster) -> None:
        self.cluster = cluster

    def list_all(self, kind: str, namespace: str | None) -> tuple[list[dict[str, Any]], str]:
        info = kind_info(kind)
        what = f"list {info.plural}" + (f" in namespace {namespace}" if info.namespaced and namespace else "")
        items: list[dict[str, Any]] = []
        token, version = "", ""
        while True:
            query: list[tuple[str, Any]] = [("limit", PAGE_SIZE)] + ([("continue", token)] if token else [])
            data = self.cluster.get_json(info.list_path(namespace), query, what)
            items += data.get("items") or []
            meta = data.get("metadata") or {}
            version = version or str(meta.get("resourceVersion") or "")
            token = meta.get("continue") or ""
            if not token:
                return items, version

    def watch(self, kind: str, namespace: str | None, resource_version: str) -> _HttpStream:
        info = kind_info(kind)
        what = f"watch {info.plural}"
        seconds = timeout_seconds()
        query: list[tuple[str, Any]] = [("watch", "1"), ("resourceVersion", resource_version),
                                        ("allowWatchBookmarks", "true"), ("timeoutSeconds", seconds)]
        timeout = self.cluster.budget(what, self.cluster.timeout)
        self.cluster.requests += 1
        try:
            status, response, conn = self.cluster.rest.stream(info.list_path(namespace), query, timeout,
                                                              seconds + 30.0)
        except TimeoutError:
            raise Refused("no answer") from None
        except Exception as exc:
            raise transport_error(exc, what, self.cluster.server) from None
        if status == 200:
            return _HttpStream(response, conn)
        body = response.read(65536)
        conn.close()
        if status == 410:
            raise Expired()
        if status in (403, 405):
            raise Refused("forbidden" if status == 403 else "not allowed")
        raise status_error(status, body, what)


class WatchHub:
    def __init__(self, source: Source, note: Callable[[Text], None] | None = None,
                 poll_interval: float = 1.0, sync_timeout: float = 30.0,
                 cond: threading.Condition | None = None) -> None:
        self.source, self.note = source, note
        self.poll_interval, self.sync_timeout = poll_interval, sync_timeout
        self.cond = cond or threading.Condition()  # hubs of many clusters may share one (the board)
        self.version = 0
        self.informers: dict[Key, Informer] = {}
        self._changed_at: dict[Key, int] = {}
        self.refused: dict[Key, str] = {}
        self._closed = False

    def informer(self, key: Key) -> Informer:
        with self.cond:
            if self._closed:
                raise ClusterError("other", "the watches are closed")
            found = self.informers.get(key)
            if found is None:
                found = Informer(self.source, key, lambda: self._changed(key), self._refused,
                                 self.poll_interval)
                self.informers[key] = found.start()
            return found

    def list(self, kind: str, namespace: str | None) -> list[dict[str, Any]]:
        if not kind_info(kind).namespaced:
            namespace = None
        informer = self.informer((kind, namespace))
        if not informer.synced.wait(self.sync_timeout):
            raise ClusterError("timeout", f"list {kind}: no answer within {self.sync_timeout:g}s",
                               retryable=True)
        return informer.items()

    def _changed(self, key: Key) -> None:
        with self.cond:
            self.version += 1
            self._changed_at[key] = self.version
            self.cond.notify_all()

    def _refused(self, key: Key, why: str) -> None:
        with self.cond:
            first = not self.refused
            self.refused[key] = why
        if first and self.note is not None:  # said once, however many kinds fall back
            self.note(msg("watch.polling", kind=key[0], reason=why, seconds=f"{self.poll_interval:g}"))

    def changed_since(self, version: int) -> set[Key]:
        with self.cond:
            return {k for k, v in self._changed_at.items() if v > version}

    def wait(self, version: int, timeout: float) -> int:
        """Block until something changed after `version` (or `timeout` seconds); the version now."""
        with self.cond:
            if timeout > 0:
                self.cond.wait_for(lambda: self.version > version or self._closed, timeout)
            return self.version

    def close(self) -> None:
        with self.cond:
            self._closed = True
            informers = list(self.informers.values())
            self.cond.notify_all()
        for informer in informers:
            informer.stop()
