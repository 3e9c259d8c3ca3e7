"""Plan -> text / markdown / json. Interchangeable renderers over the same Plan."""

from __future__ import annotations

from typing import Literal

from agentform.plan.model import Plan

Format = Literal["text", "markdown", "json"]
FORMATS: tuple[Format, ...] = ("text", "markdown", "json")


def render_plan(plan: Plan, fmt: Format, *, color: bool = False) -> str:
    if fmt == "json":
        from agentform.render.jsonfmt import render_json

        return render_json(plan)
    if fmt == "markdown":
        from agentform.render.markdown import render_markdown

        return render_markdown(plan)
    from agentform.render.text import render_text

    return render_text(plan, color=color)
