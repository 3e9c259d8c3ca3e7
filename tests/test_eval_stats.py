"""The paired statistics: intervals, verdicts, seeds, and how often noise is called worse."""

from __future__ import annotations

import random

import pytest

from agentform.evals.compare import contrast
from agentform.evals.results import RunResult, RunStatus, Subject, score_version
from agentform.evals.stats import (
    Settings,
    bootstrap_mean,
    paired_difference,
    percentile,
    verdict,
)

TUTORIAL_BASE = [1.0] * 5
TUTORIAL_V2 = [0.0, 1.0, 0.0, 1.0, 0.0]  # three of the five billing tickets misrouted


def test_the_tutorials_billing_regression_is_worse_its_interval_below_zero() -> None:
    found = paired_difference(TUTORIAL_BASE, TUTORIAL_V2, Settings())
    assert found.verdict == "worse" and found.cases == 5
    assert found.delta == pytest.approx(-0.6)
    assert found.interval.high < 0 and found.interval.low == -1.0
    assert (found.interval.low, found.interval.high) == (-1.0, -0.2)


def test_the_interval_is_reproducible_and_follows_the_seed() -> None:
    rng = random.Random(7)
    values = [rng.choice([-1.0, 0.0, 0.0, 1.0]) for _ in range(40)]
    first = bootstrap_mean(values, Settings(seed=3), key="billing")
    assert bootstrap_mean(values, Settings(seed=3), key="billing") == first
    others = {bootstrap_mean(values, Settings(seed=s), key="billing") for s in range(5)}
    assert len(others) > 1  # the seed matters, so a fixed one is what makes runs agree


def test_no_difference_at_all_is_inconclusive_with_a_zero_interval() -> None:
    same = paired_difference([1.0, 0.0, 1.0], [1.0, 0.0, 1.0], Settings())
    assert (same.delta, same.interval.low, same.interval.high) == (0.0, 0.0, 0.0)
    assert same.verdict == "inconclusive"


def test_better_when_the_whole_interval_is_above_the_minimum_effect() -> None:
    gain = paired_difference([0.0] * 10, [1.0] * 8 + [0.0] * 2, Settings())
    assert gain.verdict == "better" and gain.interval.low > 0
    assert paired_difference(
        [0.0] * 10, [1.0] * 8 + [0.0] * 2, Settings(min_effect=0.9)
    ).verdict == ("inconclusive")


def test_a_small_drop_within_the_minimum_effect_is_never_worse() -> None:
    base = [1.0] * 400
    cand = [0.0] * 12 + [1.0] * 388  # -3 points, on 400 cases: a narrow interval
    assert paired_difference(base, cand, Settings()).verdict == "worse"
    assert paired_difference(base, cand, Settings(min_effect=0.05)).verdict == "inconclusive"


def test_verdict_thresholds() -> None:
    from agentform.evals.stats import Interval

    assert verdict(Interval(-0.3, -0.06), 0.05) == "worse"
    assert verdict(Interval(-0.3, -0.04), 0.05) == "inconclusive"
    assert verdict(Interval(0.06, 0.2), 0.05) == "better"
    assert percentile([3.0, 1.0, 2.0, 4.0], 0.5) == 2.5 and percentile([], 0.95) == 0.0


def test_noise_alone_is_called_worse_about_as_rarely_as_the_confidence_says() -> None:
    # Two identical agents that pass each case with its own probability, 3 runs each: the
    # differences are noise. A 95% interval is below 0 about 2.5% of the time.
    rng = random.Random(2024)
    settings = Settings(samples=400)
    worse = 0
    trials = 200
    for trial in range(trials):
        rates = [rng.uniform(0.5, 1.0) for _ in range(30)]
        runs = [[sum(rng.random() < p for _ in range(3)) / 3 for p in rates] for _ in range(2)]
        found = paired_difference(runs[0], runs[1], settings, key=str(trial))
        worse += found.verdict == "worse"
    assert worse / trials <= 0.05


def scored(name: str, statuses: dict[str, RunStatus], labels: dict[str, str]) -> object:
    results = [RunResult(name, case, labels[case], 0, status) for case, status in statuses.items()]
    order = [(case, labels[case]) for case in statuses]
    return score_version(Subject(name, "agent_x", 1, name), order, results)


def test_bonferroni_widens_each_labels_interval() -> None:
    labels = {f"{team}-{n}": team for team in ("a", "b", "c", "d") for n in range(5)}
    base = {case: "passed" for case in labels}
    cand = dict(base)
    for case in ("a-0", "a-2", "a-4"):
        cand[case] = "failed"  # the tutorial's pattern on label a
    b, c = scored("v1", base, labels), scored("v2", cand, labels)
    plain = contrast(b, c, Settings())  # type: ignore[arg-type]
    strict = contrast(b, c, Settings(correction="bonferroni"))  # type: ignore[arg-type]
    assert plain.label("a").verdict == "worse"
    assert strict.label("a").verdict == "inconclusive"  # 3 flips of 5: not at 98.75%
    assert strict.label("a").difference.interval.high == 0.0
    assert strict.overall.difference == plain.overall.difference  # overall is one test
