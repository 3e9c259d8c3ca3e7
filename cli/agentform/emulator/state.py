"""The live state one emulator server shares between its requests."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from agentform.emulator.config import EmulatorConfig
from agentform.emulator.faults import Counters, FaultBook
from agentform.emulator.hub import Hub
from agentform.emulator.ids import Clock
from agentform.emulator.responder import Responder, load_responder
from agentform.emulator.runner import Runner
from agentform.emulator.store import Store


@dataclass(eq=False)
class Emulator:
    config: EmulatorConfig
    store: Store
    responder: Responder
    clock: Clock = field(default_factory=Clock)
    faults: FaultBook = field(default_factory=FaultBook)
    counters: Counters = field(default_factory=Counters)
    hub: Hub = field(default_factory=Hub)
    runner: Runner = field(init=False)
    loop: asyncio.AbstractEventLoop | None = None  # set when the server starts

    def __post_init__(self) -> None:
        self.runner = Runner(self)

    def reset(self, *, data: bool) -> None:
        """Clear counters and pending faults; with `data`, also every stored object."""
        self.faults.clear()
        self.counters.clear()
        if data:
            self.runner.cancel_all()
            self.hub.close_all()
            self.store.wipe()

    def stop_background_work(self) -> None:
        """End open streams and running turns (call on the server's loop)."""
        self.runner.cancel_all()
        self.hub.close_all()


def open_emulator(config: EmulatorConfig) -> Emulator:
    """Load the responder rules and open (or create) the database."""
    responder = load_responder(config.responder)
    store = Store(config.db_path)
    return Emulator(config=config, store=store, responder=responder, clock=Clock(store.latest_ms()))
