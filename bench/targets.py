"""Targets a benchmark holds itself to: printed beside its figures, and its exit code.

    targets = Targets.parse(args.target, defaults={"speedup_vs_sequential": 10.0})
    targets.at_least("speedup_vs_sequential", measured, "plan vs one retrieve per agent")
    targets.exact("round_trips", measured, expected, "plan round trips == list pages")
    return targets.finish(figures)   # 1 when any target was missed

The last line printed is `BENCH-RESULT {json}` (figures and each target's verdict), so a
test or a CI step reads the numbers rather than scraping the table. `--target name=value`
on a script's command line overrides a default (a smaller scale has other floors).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Targets:
    limits: dict[str, float]
    verdicts: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def parse(cls, overrides: list[str] | None, defaults: dict[str, float]) -> Targets:
        limits = dict(defaults)
        for item in overrides or []:
            name, _, value = item.partition("=")
            if name not in limits:
                raise SystemExit(f"unknown target {name!r}; known: {', '.join(sorted(limits))}")
            limits[name] = float(value)
        return cls(limits)

    def at_least(self, name: str, measured: float, what: str) -> None:
        self._record(
            name, measured >= self.limits[name], measured, f">= {self.limits[name]:g}", what
        )

    def at_most(self, name: str, measured: float, what: str) -> None:
        self._record(
            name, measured <= self.limits[name], measured, f"<= {self.limits[name]:g}", what
        )

    def exact(self, name: str, measured: float, expected: float, what: str) -> None:
        self._record(name, measured == expected, measured, f"== {expected:g}", what)

    def _record(self, name: str, ok: bool, measured: float, bound: str, what: str) -> None:
        self.verdicts[name] = {"ok": ok, "measured": measured, "target": bound}
        print(f"  [{'ok' if ok else 'MISSED'}] {what}: {measured:,.2f} (target {bound})")

    def finish(self, figures: dict[str, Any]) -> int:
        print("BENCH-RESULT " + json.dumps({"figures": figures, "targets": self.verdicts}))
        return 0 if all(v["ok"] for v in self.verdicts.values()) else 1


def add_target_option(parser: Any) -> None:
    parser.add_argument(
        "--target",
        action="append",
        metavar="NAME=VALUE",
        help="override a target (see the script's TARGETS)",
    )
