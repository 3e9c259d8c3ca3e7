"""The emulator a `--local` command runs beside itself, in a process of its own.

    with closing(Beside.start(db_path, responder)) as beside:  # returns at once
        import anthropic              # ~0.9 s, while the child starts on the other core
        client = anthropic.Anthropic(base_url=beside.url(), ...)  # waits for its URL

Started in a thread of the command, the emulator's start (FastAPI, uvicorn, SQLite:
~0.3 s of CPU) came after the SDK's import. In a child process it happens on the other
core while the command imports the SDK, so `--local` costs only the wait for a URL the
child has usually printed already.

The child serves until its stdin reaches end of file: when the block ends, and also when
the command is killed (the kernel closes the pipe). It runs in a session of its own, so
the terminal's Ctrl+C goes to the command alone, which decides what an interrupt means
and still needs the server to finish the writes in flight. This module imports only the
standard library in the command; the child is `python -m agentform.emulator.beside`.
"""

from __future__ import annotations

import argparse
import os
import select
import sqlite3
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

from agentform.errors import AgentformError, EmulatorStartError

_START_TIMEOUT = 60.0  # a loaded machine; a child that dies is reported at once
_STOP_TIMEOUT = 10.0


class Beside:
    """A child process serving the emulator on a free local port, until closed."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self._process = process
        self._url: str | None = None

    @classmethod
    def start(cls, db_path: Path, responder: Path | None = None) -> Beside:
        command = [sys.executable, "-m", "agentform.emulator.beside", "--db", str(db_path)]
        if responder is not None:
            command += ["--responder", str(responder)]
        process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,  # one line: the URL, once it serves
            start_new_session=True,  # the terminal's Ctrl+C is the command's alone
        )
        return cls(process)

    @property
    def pid(self) -> int:
        return self._process.pid

    def url(self) -> str:
        """The child's base URL, once it serves; EmulatorStartError if it cannot."""
        if self._url is None:
            self._url = self._read_url()
        return self._url

    def close(self) -> None:
        """End of file on the child's stdin; wait for it to close its database. Idempotent."""
        process = self._process
        if process.stdin is not None and not process.stdin.closed:
            process.stdin.close()
        try:
            process.wait(timeout=_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()

    def _read_url(self) -> str:
        stdout = self._process.stdout
        assert stdout is not None
        deadline = time.monotonic() + _START_TIMEOUT
        line = b""
        while not line.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0:
                self._process.kill()
                raise EmulatorStartError(
                    f"the embedded emulator did not start within {_START_TIMEOUT:.0f} s"
                )
            ready, _, _ = select.select([stdout], [], [], left)
            if ready:
                chunk = os.read(stdout.fileno(), 4096)
                if not chunk:
                    code = self._process.wait()
                    raise EmulatorStartError(
                        f"the embedded emulator exited (code {code}) before it served; "
                        "its error is above"
                    )
                line += chunk
        return line.decode().strip()


def main(argv: list[str] | None = None) -> None:
    """The child: serve, print the URL, and stop at end of file on stdin."""
    parser = argparse.ArgumentParser(prog="python -m agentform.emulator.beside")
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--responder", type=Path)
    args = parser.parse_args(argv)

    from agentform.emulator.server import serve

    with ExitStack() as stack:
        try:
            url = stack.enter_context(
                serve(db_path=args.db, responder=args.responder, wait_for_stop=False)
            )
        except (AgentformError, OSError, sqlite3.Error) as exc:
            sys.stderr.write(f"Error: the embedded emulator ({args.db}): {exc}\n")
            raise SystemExit(1) from None
        sys.stdout.write(url + "\n")
        sys.stdout.flush()
        os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # nobody reads the pipe now
        while sys.stdin.buffer.read(65536):
            pass  # the command writes nothing: this waits for end of file
    # The database is closed (under its lock, every request committed): skip the teardown
    # of FastAPI's modules and uvicorn's thread, ~0.1 s the command would wait for.
    os._exit(0)


if __name__ == "__main__":
    main()
