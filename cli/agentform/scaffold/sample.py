"""The sample `agentform init` writes: a help-desk agent that sorts customer messages.

Small enough to read at once, and complete: its eval suite passes offline because the
responder rules answer the way the prompt asks.
"""

from __future__ import annotations

AGENT = "helpdesk"
ENVIRONMENT = "default"
AGENT_NAME = "helpdesk"
AGENT_DESCRIPTION = "Sorts customer messages into question, complaint or praise."
SYSTEM = """\
You sort customer messages for a help desk. Answer with exactly one word, in lowercase:
question, complaint or praise.
"""
ENVIRONMENT_NAME = "helpdesk-env"
ENVIRONMENT_DESCRIPTION = "Where helpdesk sessions run (no packages, no egress)."
PROMPT = "Customer message:\n\n{message}\n"
CASES = (
    ("question-opening-hours", "question", "When are you open on Saturdays?"),
    ("question-invoice-copy", "question", "How do I get a copy of my last invoice?"),
    ("complaint-late-delivery", "complaint", "My order is two weeks late and nobody answers."),
    ("complaint-broken-item", "complaint", "The lamp arrived broken. This is unacceptable."),
    ("praise-fast-support", "praise", "Thanks, your support team fixed it in minutes!"),
    ("praise-great-product", "praise", "I love the new app, great work."),
)
RULES = (
    ("complaint", r"(?i)\b(late|broken|unacceptable|nobody answers|refund)\b"),
    ("praise", r"(?i)\b(thanks|thank you|love|great)\b"),
    ("question", r"\?"),
)


def cases_yaml() -> str:
    return "".join(
        f"  - id: {case_id}\n"
        f"    label: {label}\n"
        f"    input: {{message: {_quoted(text)}}}\n"
        f"    expected: {label}\n"
        for case_id, label, text in CASES
    )


def rules_yaml() -> str:
    return "".join(
        f"  - when: {{agent_key: {AGENT}, message: {_quoted(pattern)}}}\n    reply: {label}\n"
        for label, pattern in RULES
    )


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
