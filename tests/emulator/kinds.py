"""Builders shared by the tests of skills, vaults, memory stores and deployments."""

from __future__ import annotations

from typing import Any


def skill_files(
    name: str = "lookup", description: str = "Looks things up", directory: str | None = None
) -> list[tuple[str, bytes]]:
    """A skill upload: `<dir>/SKILL.md` with frontmatter plus one script."""
    top = directory or name
    skill_md = f"---\nname: {name}\ndescription: {description}\n---\n\n# {name}\n"
    return [
        (f"{top}/SKILL.md", skill_md.encode()),
        (f"{top}/scripts/run.py", b"print('run')\n"),
    ]


def upload_skill(client: Any, name: str = "lookup", **options: Any) -> Any:
    return client.beta.skills.create(files=skill_files(name), **options)


def make_agent(client: Any, **overrides: Any) -> Any:
    params: dict[str, Any] = {"name": "worker", "model": "claude-sonnet-4-6", "system": "Work."}
    params.update(overrides)
    return client.beta.agents.create(**params)


def user_message(text: str) -> dict[str, Any]:
    return {"type": "user.message", "content": [{"type": "text", "text": text}]}


def pages(listing: Any) -> list[list[Any]]:
    """Every page of an SDK list call, following `next_page` the way the SDK does."""
    page, result = listing, []
    while True:
        result.append(list(page.data))
        if not page.has_next_page():
            return result
        page = page.get_next_page()
