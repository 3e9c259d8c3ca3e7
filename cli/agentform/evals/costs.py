"""List prices of known models, and what a run's tokens cost. Pure.

Prices are USD per million tokens, from Anthropic's pricing page
(https://platform.claude.com/docs/en/about-claude/pricing) as of this release:
input, output, 5-minute cache writes and cache reads. A model missing here has no cost
(reported as "n/a") unless the suite gives its price (`prices:` in the suite file),
which also overrides an entry here. A dated id (`claude-haiku-4-5-20251001`) takes the
price of its undated name. Batch requests (the judge's, through the Message Batches
API) cost half, as the Batch API is priced.

These are list prices: an estimate to compare versions by, not an invoice (no
discounts, no long-context or regional surcharges, no tool or container charges).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

BATCH_DISCOUNT = 0.5
_DATED = re.compile(r"-\d{8}$")


@dataclass(frozen=True)
class Price:
    """USD per million tokens."""

    input: float
    output: float
    cache_write: float | None = None  # default: 1.25 x input (5-minute writes)
    cache_read: float | None = None  # default: 0.1 x input

    def cost(self, usage: Mapping[str, int]) -> float:
        write = self.cache_write if self.cache_write is not None else self.input * 1.25
        read = self.cache_read if self.cache_read is not None else self.input * 0.1
        total = (
            usage.get("input_tokens", 0) * self.input
            + usage.get("output_tokens", 0) * self.output
            + usage.get("cache_creation_input_tokens", 0) * write
            + usage.get("cache_read_input_tokens", 0) * read
        )
        return total / 1_000_000


_OPUS_OLD = Price(15.0, 75.0, 18.75, 1.50)
_OPUS = Price(5.0, 25.0, 6.25, 0.50)
_SONNET_4 = Price(3.0, 15.0, 3.75, 0.30)
_SONNET_5 = Price(2.0, 10.0, 2.50, 0.20)

PRICES: dict[str, Price] = {
    "claude-opus-4-0": _OPUS_OLD,
    "claude-opus-4-1": _OPUS_OLD,
    "claude-opus-4-5": _OPUS,
    "claude-opus-4-6": _OPUS,
    "claude-opus-4-7": _OPUS,
    "claude-opus-4-8": _OPUS,
    "claude-opus-5": _OPUS,
    "claude-opus-5-5": Price(4.0, 20.0, 5.0, 0.20),
    "claude-sonnet-4-0": _SONNET_4,
    "claude-sonnet-4-5": _SONNET_4,
    "claude-sonnet-4-6": _SONNET_4,
    "claude-sonnet-5": _SONNET_5,
    "claude-sonnet-5-5": Price(2.0, 10.0, 2.50, 0.10),
    "claude-haiku-4-5": Price(1.0, 5.0, 1.25, 0.10),
    "claude-haiku-5-5": Price(0.10, 0.50, 0.125, 0.01),  # prompts up to 100k tokens
    "claude-3-5-haiku": Price(0.80, 4.0, 1.0, 0.08),
}


def price_of(model: str, overrides: Mapping[str, Price] | None = None) -> Price | None:
    """The price of a model id (the suite's own first), or None when it is unknown."""
    for table in (overrides or {}, PRICES):
        for name in (model, _DATED.sub("", model), model.removesuffix("-latest")):
            if name in table:
                return table[name]
    return None


def run_cost(
    model: str, usage: Mapping[str, int], overrides: Mapping[str, Price] | None = None
) -> float | None:
    price = price_of(model, overrides)
    return None if price is None else price.cost(usage)
