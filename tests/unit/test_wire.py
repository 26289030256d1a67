"""labcheck.kube.wire reads HTTP/1.1 answers as RFC 9112 frames them (the framings Go's net/http and
learners' servers send), over a socket pair: no network."""

from __future__ import annotations

import socket
import threading

import pytest

from labcheck.core.answers import reason_of
from labcheck.kube.wire import Connection, ProtocolError, RemoteDisconnected


def serve(*answers: bytes, close: bool = True) -> tuple[Connection, list[bytes]]:
    """A connection whose server side answers each request with the next of `answers`."""
    ours, theirs = socket.socketpair()
    requests: list[bytes] = []

    def server() -> None:
        with theirs:
            for answer in answers:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = theirs.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                requests.append(data)
                theirs.sendall(answer)
            if not close:
                theirs.recv(1)

    threading.Thread(target=server, daemon=True).start()
    return Connection("127.0.0.1", 6443, 443, lambda timeout: ours, 5.0), requests


def test_content_length_and_keep_alive() -> None:
    conn, requests = serve(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: x\r\n\r\nhello",
                           b"HTTP/1.1 404 Not Found\r\ncontent-length: 2\r\n\r\n{}")
    first = conn.request("GET", "/api/v1/pods?limit=500", [("Authorization", "Bearer t")])
    assert (first.status, first.read(), first.isclosed(), first.will_close) == (200, b"hello", True, False)
    second = conn.request("GET", "/x", [])
    assert (second.status, second.read()) == (404, b"{}")
    assert requests[0].startswith(b"GET /api/v1/pods?limit=500 HTTP/1.1\r\nHost: 127.0.0.1:6443\r\n")
    assert b"Authorization: Bearer t\r\n" in requests[0]


def test_chunked_with_extensions_and_trailers_read_by_lines() -> None:
    body = b'6;ext=1\r\n{"a":1\r\na\r\n}\n{"b":2}\n\r\n3\r\nend\r\n0\r\nX-Trailer: y\r\n\r\n'
    conn, _ = serve(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body)
    response = conn.request("GET", "/watch", [])
    assert [response.readline(), response.readline(), response.readline(), response.readline()] == \
        [b'{"a":1}\n', b'{"b":2}\n', b"end", b""]
    assert response.isclosed()


def test_a_body_until_close_and_1xx_answers_skipped() -> None:
    conn, _ = serve(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\nServer: SimpleHTTP\r\n\r\n<html>hi</html>")
    response = conn.request("GET", "/", [("Connection", "close")])
    assert (response.status, response.will_close, response.read()) == (200, True, b"<html>hi</html>")


def test_no_body_for_204_and_a_limit_leaves_the_rest_unread() -> None:
    conn, _ = serve(b"HTTP/1.1 204 No Content\r\n\r\n", b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789")
    assert conn.request("DELETE", "/x", []).read() == b""
    limited = conn.request("GET", "/log?limitBytes=4", [])
    assert limited.read(4) == b"0123" and not limited.isclosed()


@pytest.mark.parametrize(("answer", "error", "reason"), [
    (b"", RemoteDisconnected, "closed without an answer"),
    (b"SSH-2.0-OpenSSH_9.2\r\n\r\n", ProtocolError, "not an HTTP answer"),
    (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", ProtocolError, "not an HTTP answer"),
    (b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", ProtocolError, "not an HTTP answer"),
    (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", ProtocolError, "not an HTTP answer"),
])
def test_what_is_not_http_says_so(answer: bytes, error: type[Exception], reason: str) -> None:
    conn, _ = serve(answer)
    with pytest.raises(error) as raised:
        conn.request("GET", "/", []).read()
    assert reason_of(raised.value) == reason


@pytest.mark.parametrize(("target", "headers"), [("/a b", []), ("/a\r\nX: y", []), ("/", [("X", "a\r\nEvil: 1")])])
def test_no_line_breaks_into_the_request(target: str, headers: list[tuple[str, str]]) -> None:
    conn, _ = serve()
    with pytest.raises(ValueError):
        conn.request("GET", target, headers)
