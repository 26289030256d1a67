"""The board's web app (Starlette, served by uvicorn): GET only.

/               the class, students x steps (readable without JavaScript; the script follows /api/events)
/student/N      one student's checks with messages and hints
/api/class      the same data as JSON
/api/events     server-sent events: `class` with the rows that changed since the last one

`?projector=1` shows "Student N" instead of names, ids and namespaces. With a token (any --host
but loopback) every request needs it: `?token=`, the cookie the first such request sets, or
`Authorization: Bearer`.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from labcheck.board.state import Board
from labcheck.board.view import class_json, page, student_page
from labcheck.core.i18n import Lang

COOKIE = "labcheck_board"
KEEPALIVE = 15.0


class _Token(BaseHTTPMiddleware):
    def __init__(self, app: Any, token: str) -> None:
        super().__init__(app)
        self.token = token

    def _given(self, request: Request) -> tuple[str, bool]:
        bearer = request.headers.get("authorization", "")
        for value, from_query in ((request.query_params.get("token", ""), True),
                                  (request.cookies.get(COOKIE, ""), False),
                                  (bearer[7:] if bearer.lower().startswith("bearer ") else "", False)):
            if value and secrets.compare_digest(value.encode(), self.token.encode()):
                return value, from_query
        return "", False

    async def dispatch(self, request: Request,
                       call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        value, from_query = self._given(request)
        if not value:
            return PlainTextResponse("labcheck board: a token is needed (the URL printed at start)", 403)
        response = await call_next(request)
        if from_query:
            response.set_cookie(COOKIE, value, httponly=True, samesite="strict")
        return response


def make_app(board: Board, lang: Lang, token: str | None = None) -> Starlette:
    def projector(request: Request) -> bool:
        return request.query_params.get("projector", "0") not in ("", "0", "false")

    async def index(request: Request) -> Response:
        return HTMLResponse(page(board, projector(request), lang))

    async def student(request: Request) -> Response:
        index = int(request.path_params["index"])
        if not 0 <= index < len(board.rows):
            return PlainTextResponse("no such student", 404)
        return HTMLResponse(student_page(board, board.rows[index], projector(request), lang))

    async def api_class(request: Request) -> Response:
        return JSONResponse(class_json(board, projector(request), lang))

    async def events(request: Request) -> Response:
        hide = projector(request)
        loop = asyncio.get_running_loop()
        wake = asyncio.Event()

        def listener() -> None:
            loop.call_soon_threadsafe(wake.set)

        async def stream() -> AsyncIterator[str]:
            board.listeners.add(listener)
            try:
                data = class_json(board, hide, lang)
                seen = int(data["version"])
                yield f"event: class\ndata: {json.dumps(data)}\n\n"
                while True:
                    try:
                        await asyncio.wait_for(wake.wait(), KEEPALIVE)
                    except TimeoutError:
                        yield ": keep-alive\n\n"
                        continue
                    wake.clear()
                    data = class_json(board, hide, lang, since=seen)
                    seen = int(data["version"])
                    yield f"event: class\ndata: {json.dumps(data)}\n\n"
            finally:
                board.listeners.discard(listener)

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    routes = [Route("/", index), Route("/student/{index:int}", student), Route("/api/class", api_class),
              Route("/api/events", events)]
    middleware = [Middleware(_Token, token=token)] if token else []
    return Starlette(routes=routes, middleware=middleware)


def loopback(host: str) -> bool:
    return host in ("127.0.0.1", "::1", "localhost") or host.startswith("127.")


def listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    return sock


def serve(app: Starlette, sock: socket.socket) -> None:
    import uvicorn

    # event streams never end by themselves: Ctrl-C closes them after 2 s rather than waiting
    config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False,
                            timeout_graceful_shutdown=2)
    uvicorn.Server(config).run(sockets=[sock])
