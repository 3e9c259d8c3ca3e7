"""Subjects compared with the baseline, paired per case, per label and overall. Pure.

A `Comparison` holds every subject's score (the baseline first), one `Contrast` per
candidate (its difference from the baseline on each label, with an interval and a
verdict; its cost and latency beside the baseline's) and the gate's decision on each.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from agentform.evals.gate import GateDecision, Policy, decide, worst
from agentform.evals.judge import JudgeSpend
from agentform.evals.results import OVERALL, Tally, VersionScore
from agentform.evals.stats import Difference, Interval, Settings, bootstrap_mean, paired_difference


@dataclass(frozen=True)
class LabelContrast:
    label: str
    baseline: Tally
    candidate: Tally
    difference: Difference

    @property
    def delta(self) -> float:
        return self.difference.delta

    @property
    def verdict(self) -> str:
        return self.difference.verdict


@dataclass(frozen=True)
class Contrast:
    """One candidate against the baseline."""

    baseline: VersionScore
    candidate: VersionScore
    labels: tuple[LabelContrast, ...]  # sorted labels, then overall

    def label(self, name: str) -> LabelContrast:
        return next(item for item in self.labels if item.label == name)

    @property
    def overall(self) -> LabelContrast:
        return self.label(OVERALL)

    @property
    def cost_increase(self) -> float | None:
        """Cost per run, candidate over baseline, minus 1 (None without prices)."""
        base = self.baseline.spend.cost_per_run()
        cand = self.candidate.spend.cost_per_run()
        if base is None or cand is None or base <= 0:
            return None
        return cand / base - 1.0


@dataclass(frozen=True)
class Comparison:
    suite: str
    agent: str
    repeats: int
    settings: Settings
    policy: Policy
    scores: tuple[VersionScore, ...]  # the baseline first
    contrasts: tuple[Contrast, ...]  # one per candidate (none when it is the baseline)
    decisions: tuple[GateDecision, ...]  # one per contrast
    judge: JudgeSpend = field(default_factory=JudgeSpend)
    sessions: int = 0  # sessions made (cached runs made none)
    seconds: float = 0.0
    inputs: Mapping[str, str] = field(default_factory=dict)  # case id -> the message sent

    @property
    def baseline(self) -> VersionScore:
        return self.scores[0]

    @property
    def candidate(self) -> VersionScore:
        """The first candidate (the baseline itself when they are the same version)."""
        return self.contrasts[0].candidate if self.contrasts else self.scores[0]

    @property
    def same_version(self) -> bool:
        return len(self.scores) == 1

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(sorted({label for s in self.scores for label in s.labels}))

    @property
    def decision(self) -> GateDecision:
        return worst(self.decisions)

    def contrast(self, name: str) -> Contrast:
        return next(c for c in self.contrasts if c.candidate.name == name)


def contrast(baseline: VersionScore, candidate: VersionScore, settings: Settings) -> Contrast:
    labels = sorted(set(baseline.labels) | set(candidate.labels))
    per_label = settings
    if settings.correction == "bonferroni" and len(labels) > 1:
        per_label = replace(settings, confidence=1 - (1 - settings.confidence) / len(labels))
    return Contrast(
        baseline,
        candidate,
        (
            *(_label(baseline, candidate, label, per_label) for label in labels),
            _label(baseline, candidate, OVERALL, settings),
        ),
    )


def _label(
    baseline: VersionScore, candidate: VersionScore, label: str, settings: Settings
) -> LabelContrast:
    difference = paired_difference(
        baseline.scores(label), candidate.scores(label), settings, key=label
    )
    return LabelContrast(label, baseline.tally(label), candidate.tally(label), difference)


def accuracy_interval(score: VersionScore, label: str, settings: Settings) -> Interval:
    """One subject's accuracy on a label, with a bootstrap interval over its cases."""
    return bootstrap_mean(score.scores(label), settings, key=f"{score.name}:{label}")


def build(
    scores: Sequence[VersionScore], settings: Settings, policy: Policy
) -> tuple[tuple[Contrast, ...], tuple[GateDecision, ...]]:
    """Each candidate (every score after the first) against the baseline (the first)."""
    contrasts = tuple(contrast(scores[0], score, settings) for score in scores[1:])
    if not contrasts:  # the candidate is the baseline: compare it with itself
        contrasts = (contrast(scores[0], scores[0], settings),)
    return contrasts, tuple(decide(c, policy) for c in contrasts)


def intervals(
    comparison: Comparison,
) -> Mapping[tuple[str, str], Interval]:
    """(subject, label) -> accuracy interval, for the reports' bars."""
    return {
        (score.name, label): accuracy_interval(score, label, comparison.settings)
        for score in comparison.scores
        for label in (*comparison.labels, OVERALL)
    }
