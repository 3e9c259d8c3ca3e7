"""A bounded pool of daemon threads, in dependency order, that stops on request.

`concurrent.futures` joins its worker threads when the interpreter exits, so a Ctrl+C
during a slow request would wait for it. These workers are daemon threads: once the
apply has recorded what finished, the process can exit at once. An item starts when
every item it depends on has finished well (`ok`); if one did not, the item is not
run and `skip` says why. Results come back in completion order through one queue
(O(1) per result).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Pool(Generic[T, R]):
    def __init__(self, work: Callable[[T], R], width: int, stop: threading.Event) -> None:
        self.work = work
        self.width = max(1, width)
        self.stop = stop
        self._todo: queue.Queue[int] = queue.Queue()
        self._done: queue.Queue[tuple[int, R | None, BaseException | None]] = queue.Queue()
        self._lock = threading.Lock()
        self._items: Sequence[T] = ()
        self._started: set[int] = set()
        self.in_flight: dict[int, T] = {}

    def run(
        self,
        items: Sequence[T],
        deps: Sequence[set[int]] | None = None,
        ok: Callable[[R], bool] = lambda result: True,
        skip: Callable[[T, T], R] | None = None,
    ) -> Iterator[tuple[T, R]]:
        """Yield (item, result) as each finishes; re-raise a worker's unexpected error.

        `deps[i]` are the indexes item i waits for; `skip(item, failed)` is its result
        when a dependency did not finish well.
        """
        self._items = items
        waiting = [set(d) for d in deps] if deps is not None else [set() for _ in items]
        dependents: dict[int, list[int]] = {}
        for index, needs in enumerate(waiting):
            for need in needs:
                dependents.setdefault(need, []).append(index)
        ready = [i for i, needs in enumerate(waiting) if not needs]
        for index in ready:
            self._todo.put(index)
        for _ in range(min(self.width, len(items))):
            threading.Thread(target=self._worker, daemon=True, name="apply-worker").start()
        for _ in range(len(items)):
            index, result, error = self._next()
            if error is not None:
                raise error
            assert result is not None
            yield items[index], result
            for other in dependents.get(index, []):
                self._release(other, index, waiting, ok(result), skip)

    def _release(
        self,
        index: int,
        finished: int,
        waiting: list[set[int]],
        well: bool,
        skip: Callable[[T, T], R] | None,
    ) -> None:
        with self._lock:
            if index in self._started:
                return
            if not well and skip is not None:
                self._started.add(index)
                self._done.put((index, skip(self._items[index], self._items[finished]), None))
                return
        waiting[index].discard(finished)
        if not waiting[index]:
            self._todo.put(index)

    def not_started(self) -> list[T]:
        """After a stop: the items no worker picked up (and now none will)."""
        with self._lock:
            return [item for i, item in enumerate(self._items) if i not in self._started]

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

    def _next(self) -> tuple[int, R | None, BaseException | None]:
        while True:  # a timeout, so Ctrl+C is seen even while every worker is blocked
            try:
                return self._done.get(timeout=0.1)
            except queue.Empty:
                continue

    def _worker(self) -> None:
        me = threading.get_ident()
        while not self.stop.is_set():
            try:
                index = self._todo.get(timeout=0.05)
            except queue.Empty:
                with self._lock:
                    if len(self._started) == len(self._items):
                        return
                continue
            with self._lock:
                if self.stop.is_set():
                    return
                self._started.add(index)
                self.in_flight[me] = self._items[index]
            try:
                self._done.put((index, self.work(self._items[index]), None))
            except BaseException as exc:  # noqa: BLE001 - handed to the main thread
                self._done.put((index, None, exc))
            finally:
                with self._lock:
                    self.in_flight.pop(me, None)
