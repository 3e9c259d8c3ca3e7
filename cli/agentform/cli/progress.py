"""A live progress line on stderr for anything that may take a while, on a terminal only.

    with Progress.start(app, "Applying", total=12) as progress:
        ...
        progress.echo("  ok  agent triage: ...")   # a finished item, above the live line
        progress.advance()

On a terminal, after `delay` seconds, the last line of stderr shows the label, the count
and the seconds so far, redrawn a few times a second and erased at the end. Anywhere
else (a pipe, a file, CI logs) it draws nothing: `echo` is a plain echo.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

import click

from agentform.cli.app import App

DELAY = 0.5  # quick operations never flicker
INTERVAL = 0.1
SPINNER = "|/-\\"


class Progress:
    def __init__(self, label: str, total: int | None, stream: TextIO | None) -> None:
        self.label = label
        self.total = total
        self.done = 0
        self.stream = stream  # None: not a terminal, draw nothing
        self.drawn = threading.Event()  # set once the line was first drawn (for tests)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._started = time.monotonic()
        self._ticks = 0
        self._visible = False

    @classmethod
    @contextmanager
    def start(
        cls,
        app: App,
        label: str,
        total: int | None = None,
        *,
        stream: TextIO | None = None,
        delay: float = DELAY,
    ) -> Iterator[Progress]:
        stream = stream if stream is not None else sys.stderr
        progress = cls(label, total, stream if stream.isatty() else None)
        thread = None
        if progress.stream is not None:
            thread = threading.Thread(target=progress._run, args=(delay,), daemon=True)
            thread.start()
        try:
            yield progress
        finally:
            progress._stop.set()
            if thread is not None:
                thread.join()
            progress._erase()

    def advance(self, count: int = 1) -> None:
        with self._lock:
            self.done += count

    def echo(self, text: str, *, err: bool = False) -> None:
        """Print a line above the live one (which is redrawn on the next tick)."""
        with self._lock:
            self._erase_locked()
            click.echo(text, err=err)

    def line(self) -> str:
        """What the live line says now: `Applying 3/12 | 4s`."""
        count = f" {self.done}/{self.total}" if self.total is not None else ""
        seconds = int(time.monotonic() - self._started)
        return f"{self.label}{count} {SPINNER[self._ticks % len(SPINNER)]} {seconds}s"

    def _run(self, delay: float) -> None:
        if self._stop.wait(delay):
            return
        while not self._stop.is_set():
            with self._lock:
                self._draw_locked()
            self.drawn.set()
            self._stop.wait(INTERVAL)

    def _draw_locked(self) -> None:
        assert self.stream is not None
        self._ticks += 1
        self.stream.write("\r\033[K" + self.line())
        self.stream.flush()
        self._visible = True

    def _erase(self) -> None:
        with self._lock:
            self._erase_locked()

    def _erase_locked(self) -> None:
        if self._visible and self.stream is not None:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self._visible = False
