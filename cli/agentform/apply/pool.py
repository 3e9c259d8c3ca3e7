"""A bounded pool of daemon threads that stops on request.

`concurrent.futures` joins its worker threads when the interpreter exits, so a Ctrl+C
during a slow request would wait for it. These workers are daemon threads: once the
apply has recorded what finished, the process can exit at once. Results come back in
completion order through one queue (O(1) per result).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Pool(Generic[T, R]):
    def __init__(self, work: Callable[[T], R], width: int, stop: threading.Event) -> None:
        self.work = work
        self.width = max(1, width)
        self.stop = stop
        self._todo: queue.Queue[T] = queue.Queue()
        self._done: queue.Queue[tuple[T, R | None, BaseException | None]] = queue.Queue()
        self._lock = threading.Lock()
        self.in_flight: dict[int, T] = {}

    def run(self, items: Iterable[T]) -> Iterator[tuple[T, R]]:
        """Yield (item, result) as each finishes; re-raise a worker's unexpected error."""
        count = 0
        for item in items:
            self._todo.put(item)
            count += 1
        for _ in range(min(self.width, count)):
            threading.Thread(target=self._worker, daemon=True, name="apply-worker").start()
        for _ in range(count):
            item, result, error = self._next()
            if error is not None:
                raise error
            yield item, result  # type: ignore[misc]

    def not_started(self) -> list[T]:
        """After a stop: the items no worker picked up (and now none will)."""
        left = []
        while True:
            try:
                left.append(self._todo.get_nowait())
            except queue.Empty:
                return left

    def finished(self) -> list[R]:
        """After a stop: the results that came in since `run` stopped being consumed."""
        found: list[R] = []
        while True:
            try:
                _, result, error = self._done.get_nowait()
            except queue.Empty:
                return found
            if error is None and result is not None:
                found.append(result)

    def _next(self) -> tuple[T, R | None, BaseException | None]:
        while True:  # a timeout, so Ctrl+C is seen even while every worker is blocked
            try:
                return self._done.get(timeout=0.1)
            except queue.Empty:
                continue

    def _worker(self) -> None:
        me = threading.get_ident()
        while not self.stop.is_set():
            try:
                item = self._todo.get_nowait()
            except queue.Empty:
                return
            with self._lock:
                self.in_flight[me] = item
            try:
                self._done.put((item, self.work(item), None))
            except BaseException as exc:  # noqa: BLE001 - handed to the main thread
                self._done.put((item, None, exc))
            finally:
                with self._lock:
                    self.in_flight.pop(me, None)
