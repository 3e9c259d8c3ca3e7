"""Paired statistics for comparing two versions on the same cases. Pure, standard library.

The unit is the case, not the run: runs of one case share its difficulty, so they are
not independent draws. For each case, `score` is the fraction of its runs that passed
(errors count as not passed); a candidate's difference on a case is its score minus the
baseline's on the same case. The accuracy difference is the mean of those differences
(equal to the difference of the accuracies when every case has as many runs on both
sides).

The interval is a paired percentile bootstrap: resample the cases with replacement,
`samples` times, with a seeded generator (the same inputs give the same interval on
every machine), and take the `(1 - confidence) / 2` quantiles of the resampled mean
differences. Assumptions, and what follows from them:

- cases are a sample of the traffic you care about, independent of each other;
- the interval is approximate: with few cases (a label with 5) it is too narrow;
- each label's interval is at the stated confidence on its own: with L labels, the
  chance that *some* label of an unchanged agent comes out `worse` by chance is up to
  L times (1 - confidence) / 2. `correction: bonferroni` makes each label's interval
  wider (confidence 1 - (1 - c) / L) to keep that chance at the stated level, at the
  price of needing more cases per label to call anything;
- a deterministic responder (the emulator) makes every case's difference exact, so
  identical behaviour gives the interval [0, 0].

The verdict, with `min_effect` m >= 0: `worse` when the whole interval lies below -m
(with that confidence the candidate loses more than m), `better` when it lies above +m,
`inconclusive` otherwise (including "no difference at all").
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Verdict = Literal["better", "worse", "inconclusive"]
VERDICTS: tuple[Verdict, ...] = ("better", "worse", "inconclusive")


@dataclass(frozen=True)
class Settings:
    confidence: float = 0.95
    min_effect: float = 0.0  # a fraction: 0.05 is 5 points
    samples: int = 2000  # bootstrap resamples
    seed: int = 0
    correction: Literal["none", "bonferroni"] = "none"  # across labels (see above)


@dataclass(frozen=True)
class Interval:
    low: float
    high: float

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high


@dataclass(frozen=True)
class Difference:
    """A paired comparison: mean difference, its interval and the verdict."""

    delta: float
    interval: Interval
    verdict: Verdict
    cases: int


def paired_difference(
    baseline: Sequence[float], candidate: Sequence[float], settings: Settings, key: str = ""
) -> Difference:
    """Compare per-case scores (same cases, same order). `key` varies the seed per label,
    so that labels do not share one sequence of resamples."""
    if len(baseline) != len(candidate):
        raise ValueError("paired scores need the same cases on both sides")
    diffs = [c - b for b, c in zip(baseline, candidate, strict=True)]
    if not diffs:
        return Difference(0.0, Interval(0.0, 0.0), "inconclusive", 0)
    delta = math.fsum(diffs) / len(diffs)
    interval = bootstrap_mean(diffs, settings, key)
    return Difference(delta, interval, verdict(interval, settings.min_effect), len(diffs))


def bootstrap_mean(values: Sequence[float], settings: Settings, key: str = "") -> Interval:
    """Percentile bootstrap interval of the mean of `values`."""
    n = len(values)
    if n == 0:
        return Interval(0.0, 0.0)
    if all(v == values[0] for v in values):
        return Interval(values[0], values[0])  # every resample has the same mean
    rng = random.Random(f"{settings.seed}:{key}")
    means = sorted(math.fsum(rng.choices(values, k=n)) / n for _ in range(max(1, settings.samples)))
    tail = (1.0 - settings.confidence) / 2
    return Interval(_quantile(means, tail), _quantile(means, 1.0 - tail))


def verdict(interval: Interval, min_effect: float) -> Verdict:
    if interval.high < -min_effect:
        return "worse"
    if interval.low > min_effect:
        return "better"
    return "inconclusive"


def _quantile(ordered: Sequence[float], q: float) -> float:
    """The q-quantile of sorted values, linear between neighbours (numpy's default)."""
    position = q * (len(ordered) - 1)
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    fraction = position - below
    return ordered[below] + (ordered[above] - ordered[below]) * fraction


def percentile(values: Sequence[float], q: float) -> float:
    """The q-quantile (0..1) of unsorted values; 0.0 for none."""
    return _quantile(sorted(values), q) if values else 0.0
