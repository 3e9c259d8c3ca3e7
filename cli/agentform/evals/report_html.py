"""A Comparison as one self-contained HTML file (filled in below)."""

from __future__ import annotations

from agentform.evals.compare import Comparison


def render_html(comparison: Comparison) -> str:
    raise NotImplementedError
