"""agentform: Terraform for Claude Managed Agents.

Import-light on purpose: `import agentform` and `import agentform.pins.model` must not
pull in `anthropic`, FastAPI or jsonschema (callers load pins on every request).
"""

from __future__ import annotations

__version__ = "0.1.0"
