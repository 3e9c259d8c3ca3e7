"""The options `eval`, `promote` and `plan --eval` share, and what they resolve to."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from agentform.cli.app import App
from agentform.cli.progress import Progress

if TYPE_CHECKING:
    from agentform.evals.results import RunResult
    from agentform.evals.workflow import Callbacks, EvalOptions

CACHE_FILE = "eval-cache.sqlite3"


class VersionRef(click.ParamType):  # type: ignore[type-arg]
    """`latest`, `pinned`, a version number, and (where allowed) `manifest`."""

    def __init__(self, manifest: bool = False) -> None:
        self.manifest = manifest
        self.name = "latest|pinned|N" + ("|manifest" if manifest else "")

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value).strip()
        if text in ("latest", "pinned") or (text.isdigit() and int(text) >= 1):
            return text
        if self.manifest and text == "manifest":
            return text
        extra = ", manifest" if self.manifest else ""
        self.fail(f"{value!r}: expected latest, pinned{extra} or a version number >= 1", param, ctx)


class Fraction(click.ParamType):  # type: ignore[type-arg]
    """`20%` or `0.2`."""

    name = "FRACTION|N%"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        from agentform.evals.suite_checks import fraction

        try:
            found = fraction(value)
        except (TypeError, ValueError) as exc:
            self.fail(str(exc), param, ctx)
        if found < 0:
            self.fail(f"{value!r}: expected a non-negative fraction or percentage", param, ctx)
        return found


VERSION = VersionRef()
SUBJECT = VersionRef(manifest=True)

_GATE_OPTIONS = [
    click.option(
        "--repeat",
        "repeats",
        type=click.IntRange(1, 100),
        default=None,
        metavar="K",
        help="Runs per case and version; reports pass@K, pass^K and flaky cases.  "
        "[default: the suite's repeats]",
    ),
    click.option(
        "--concurrency",
        type=click.IntRange(1, 256),
        default=None,
        metavar="N",
        help="Sessions at once (async: a coroutine each, no thread).  [default: 32]",
    ),
    click.option(
        "--confidence",
        type=click.FloatRange(0.5, 1, min_open=True, max_open=True),
        default=None,
        help="Confidence of the intervals and verdicts.  [default: the suite's, else 0.95]",
    ),
    click.option(
        "--seed",
        type=int,
        default=None,
        help="Seed of the bootstrap (the same results give the same intervals).  "
        "[default: the suite's, else 0]",
    ),
    click.option(
        "--min-effect",
        "--tolerance",
        "min_effect",
        type=click.FloatRange(0, 1),
        default=None,
        help="Smallest accuracy difference that counts as better or worse (a fraction: "
        "0.05 is 5 points).  [default: the suite's, else 0]",
    ),
    click.option(
        "--on-inconclusive",
        type=click.Choice(["pass", "fail"]),
        default="pass",
        show_default=True,
        help="What an inconclusive comparison does: pass, or fail with exit 4.",
    ),
    click.option(
        "--max-cost-increase",
        type=Fraction(),
        default=None,
        help="Refuse a candidate whose cost per run grew more than this (20% or 0.2).  "
        "[default: the suite's budget]",
    ),
    click.option(
        "--max-latency-p95",
        type=click.FloatRange(0, min_open=True),
        default=None,
        metavar="SECONDS",
        help="Refuse a candidate whose p95 run time is above this.  [default: the suite's]",
    ),
    click.option(
        "--no-cache", is_flag=True, help="Run every session again (results are still cached)."
    ),
    click.option(
        "--rerun-failed",
        is_flag=True,
        help="Reuse cached passes, run wrong answers and errors again.",
    ),
]


def gate_options(command: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(_GATE_OPTIONS):
        command = option(command)
    return command


def eval_options(app: App, values: dict[str, Any]) -> EvalOptions:
    """The shared options (as click passed them) -> EvalOptions, with the cache's place."""
    from agentform.evals.workflow import DEFAULT_CONCURRENCY, EvalOptions

    return EvalOptions(
        concurrency=values["concurrency"] or DEFAULT_CONCURRENCY,
        repeats=values["repeats"],
        confidence=values["confidence"],
        seed=values["seed"],
        min_effect=values["min_effect"],
        on_inconclusive=values["on_inconclusive"],
        max_cost_increase=values["max_cost_increase"],
        max_latency_p95=values["max_latency_p95"],
        cache_path=app.state_dir / CACHE_FILE,
        read_cache=not values["no_cache"],
        rerun_failed=values["rerun_failed"],
        scope=_local_scope(app),
    )


def gate_defaults(app: App) -> EvalOptions:
    """What `apply --gate` evaluates with: the defaults, and the same cache as `eval`."""
    from agentform.evals.workflow import EvalOptions

    return EvalOptions(cache_path=app.state_dir / CACHE_FILE, scope=_local_scope(app))


def _local_scope(app: App) -> str | None:
    """With --local, results depend on the responder rules, not on the random port."""
    if not app.local:
        return None
    rules = app.responder_file
    digest = hashlib.sha256(rules.read_bytes()).hexdigest()[:16] if rules else "none"
    return f"local|{digest}"


def gate_values(values: dict[str, Any]) -> dict[str, Any]:
    """The shared options' values out of a command's keyword arguments."""
    names = (
        "repeats",
        "concurrency",
        "confidence",
        "seed",
        "min_effect",
        "on_inconclusive",
        "max_cost_increase",
        "max_latency_p95",
        "no_cache",
        "rerun_failed",
    )
    return {name: values.pop(name) for name in names}


@contextmanager
def progress_callbacks(app: App, label: str = "Evaluating") -> Iterator[Callbacks]:
    """The shared progress line on stderr (a terminal only), fed by the runs and the judge."""
    from agentform.evals.workflow import Callbacks

    with Progress.start(app, label) as progress:

        def update(done: int, total: int, result: RunResult) -> None:
            progress.total = total
            progress.advance(done - progress.done)

        def judging(done: int, total: int) -> None:
            progress.label = "Judging (Message Batches)"
            progress.total = total
            progress.done = done

        yield Callbacks(update, judging)
