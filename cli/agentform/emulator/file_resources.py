"""Session resources of `type: file`: they must name an existing file, and their
`mount_path` is resolved the way the API documents it.

- Omitted: `/mnt/session/uploads/<file_id>` (SDK `BetaManagedAgentsFileResourceParams`:
  "Defaults to `/mnt/session/uploads/<file_id>`").
- Relative: under `/mnt/session/uploads/` (the "Iterate on a failing test suite" tutorial
  mounts `mount_path: "calc.py"` and tells the agent to read
  `/mnt/session/uploads/test_calc.py`: "Files mount under /mnt/session/uploads/<mount_path>").
- Absolute: kept, normalised (an assumption; the SDK calls it "Mount path in the container").
- A path that climbs out of `/mnt/session/uploads/` with `..`, or is empty after
  normalising, is a 400.
"""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING

from agentform.emulator import files
from agentform.emulator.errors import invalid_request
from agentform.emulator.wire import Json

if TYPE_CHECKING:
    from agentform.emulator.state import Emulator

UPLOADS = "/mnt/session/uploads"


def check_file_resources(em: Emulator, ws: str, resources: list[Json]) -> None:
    """404 for a file resource whose file does not exist in this workspace."""
    for resource in resources:
        if resource.get("type") == "file":
            files.find(em, ws, resource["file_id"])


def file_mount_path(requested: str | None, file_id: str, field: str) -> str:
    if not requested:
        return f"{UPLOADS}/{file_id}"
    absolute = requested.startswith("/")
    path = posixpath.normpath(requested if absolute else f"{UPLOADS}/{requested}")
    if not absolute and not path.startswith(UPLOADS + "/"):
        raise invalid_request(f"{field}.mount_path: must stay inside {UPLOADS}/")
    if path == "/":
        raise invalid_request(f"{field}.mount_path: must name a file, not /")
    return path
