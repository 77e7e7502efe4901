"""The UI's one worker thread: every agent call (journal reads and writes) runs here.

The Kivy main thread never touches storage or the network: it submits a call and gets
the result (or the error) back through ``post``, which the app sets to a
``Clock.schedule_once`` wrapper so callbacks run on the main thread. Plain Python.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

log = logging.getLogger(__name__)

Post = Callable[[Callable[[], None]], None]


def _call_if(callback: Callable[[Any], None] | None, value: Any) -> None:
    if callback is not None:
        callback(value)


class Worker:
    """A single background thread calling the agent; results are posted to the UI thread."""

    def __init__(self, post: Post) -> None:
        self._post = post
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ui-worker")
        self._pending = 0
        self._lock = threading.Lock()
        self.errors = 0

    @property
    def pending(self) -> int:
        """Calls submitted and not yet delivered back to the UI thread."""
        with self._lock:
            return self._pending

    def submit(
        self,
        call: Callable[[], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> Future[Any]:
        """Run ``call()`` on the worker; then ``on_done(result)`` or ``on_error(exc)`` on the UI thread."""
        with self._lock:
            self._pending += 1

        def deliver(fn: Callable[[], None]) -> None:
            def run() -> None:
                try:
                    fn()
                finally:
                    with self._lock:
                        self._pending -= 1

            self._post(run)

        def job() -> Any:
            try:
                result = call()
            except Exception as exc:  # noqa: BLE001 - shown to the person by on_error; counted and logged
                self.errors += 1
                log.warning("kiosk call %s failed: %s", getattr(call, "__name__", call), exc)
                deliver(functools.partial(_call_if, on_error, exc))
                return None
            deliver(functools.partial(_call_if, on_done, result))
            return result

        return self._pool.submit(job)

    def shutdown(self) -> None:
        """Stop taking calls; finish the running one."""
        self._pool.shutdown(wait=False, cancel_futures=True)
