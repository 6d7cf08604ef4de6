"""One-time notices: remember, in the state folder, which workspaces were already told.

A hint such as "Claude is off; here is how to turn it on" helps once and nags after
that. `first_time` records the notice and workspace in `notices.json` and answers
whether this is the first time; a missing or broken file means nobody was told yet.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from nudge.safe_io import read_small_file, write_atomically

log = logging.getLogger(__name__)
NOTICES_FILE = "notices.json"
_LIMIT = 1 << 20


def _read(path: Path) -> dict[str, list[str]]:
    try:
        data = json.loads(read_small_file(path, _LIMIT))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: [str(w) for w in v] for k, v in data.items() if isinstance(v, list)}


def first_time(state_dir: Path, notice: str, workspace: Path | None) -> bool:
    """Record that `workspace` saw `notice`; return True if it had not seen it before."""
    path = state_dir / NOTICES_FILE
    key = str(workspace.resolve()) if workspace is not None else ""
    seen = _read(path)
    if key in seen.get(notice, []):
        return False
    seen.setdefault(notice, []).append(key)
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
        write_atomically(path, json.dumps(seen, indent=1).encode())
    except OSError as exc:  # cannot remember: better to tell again than never
        log.warning("cannot record notice %s: %s", notice, exc)
    return True
