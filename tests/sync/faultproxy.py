"""A fault-injecting HTTP/1.1 proxy on loopback, for upload tests.

Each request from the client is read whole (headers + Content-Length body), then the
next step of ``plan`` decides its fate:

- ``"ok"``: forwarded to the server over a fresh connection, the answer returned;
- ``"cut_request"``: half of the body is sent on to the server, then both sides are closed;
- ``"cut_response"``: forwarded whole (the server stores it), then the client's connection is
  closed before any answer reaches it;
- ``"cut_answer"``: forwarded whole, then the answer is cut short in its body;
- ``"delay"``: forwarded after ``delay_s``;
- ``"503"``: answered at once with 503 and ``Retry-After: retry_after_s``, never forwarded;
- a callable: called (e.g. to kill the server), then the request is forwarded.

After the plan runs out every request is ``"ok"``. ``seen`` counts requests;
``statuses`` lists the HTTP status of every server answer passed on.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from typing import Any

Step = str | Callable[[], Any]


def _read_message(sock: socket.socket) -> bytes | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        body += chunk
    return head + b"\r\n\r\n" + body


class FaultProxy:
    """Listens on 127.0.0.1 (free port) and forwards to ``upstream_port`` with faults."""

    def __init__(self, upstream_port: int, plan: list[Step] | None = None, *, delay_s: float = 0.3,
                 retry_after_s: int = 1) -> None:
        self.upstream_port = upstream_port
        self.retry_after_s = retry_after_s
        self.plan: list[Step] = list(plan or [])
        self.delay_s = delay_s
        self.seen = 0
        self.faults: dict[str, int] = {}
        self.statuses: list[int] = []  # the server's answers passed on (not the proxy's own 503s)
        self._lock = threading.Lock()
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _next(self) -> Step:
        with self._lock:
            self.seen += 1
            step = self.plan.pop(0) if self.plan else "ok"
            name = step if isinstance(step, str) else "hook"
            self.faults[name] = self.faults.get(name, 0) + 1
            return step

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _forward(self, request: bytes) -> bytes | None:
        try:
            with socket.create_connection(("127.0.0.1", self.upstream_port), timeout=30) as up:
                up.sendall(request)
                return _read_message(up)
        except OSError:
            return None

    def _serve(self, client: socket.socket) -> None:
        with client:
            while True:
                try:
                    request = _read_message(client)
                except OSError:
                    return
                if request is None:
                    return
                step = self._next()
                if step == "503":
                    client.sendall(b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: %d\r\n"
                                   b"Content-Type: application/json\r\nContent-Length: 60\r\n\r\n"
                                   % self.retry_after_s
                                   + b'{"detail":{"code":"busy","message":"try again later"}}'.ljust(60))
                    continue
                if step == "cut_request":
                    head, _, body = request.partition(b"\r\n\r\n")
                    try:
                        with socket.create_connection(("127.0.0.1", self.upstream_port), timeout=5) as up:
                            up.sendall(head + b"\r\n\r\n" + body[: len(body) // 2])
                    except OSError:
                        pass
                    return
                if step == "delay":
                    time.sleep(self.delay_s)
                elif callable(step):
                    step()
                answer = self._forward(request)
                if answer is None or step == "cut_response":
                    return  # closing without an answer: the client sees a cut connection
                if step == "cut_answer":
                    client.sendall(answer[: len(answer) - 10])
                    return  # the answer's body stops short
                with self._lock:
                    self.statuses.append(int(answer.split(b" ", 2)[1]))
                client.sendall(answer)

    def close(self) -> None:
        self._closed = True
        self._server.close()
