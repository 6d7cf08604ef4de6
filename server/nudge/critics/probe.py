"""Ask the Models API what each configured model accepts, once a day.

`GET /v1/models/{id}` (`client.models.retrieve`) reports a model's capabilities:
which `thinking` types it takes, its effort levels, whether it has structured outputs
(reference §7). Where they differ from the table in `models.py`, they win. Answers
are kept in a small JSON file in the state folder for a day, so a restart costs no
call; a failed probe is not kept, and Nudge goes on with the table. The Models API
does not report forced-tool support, default effort, cache minimums or prices: those
stay in the table.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import anthropic

log = logging.getLogger(__name__)
MAX_AGE = 24 * 3600.0
FORMAT = "nudge-models/1"


def _read(path: Path | None, now: float) -> dict[str, dict[str, Any]]:
    if path is None or not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT or now - float(data["fetched_at"]) > MAX_AGE:
            return {}
        models = data["models"]
        return {k: v for k, v in models.items() if isinstance(v, dict)}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def _write(path: Path | None, models: dict[str, dict[str, Any]], now: float) -> None:
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps({"format": FORMAT, "fetched_at": now, "models": models}))
        os.replace(tmp, path)
    except OSError as exc:
        log.info("cannot keep the model probe in %s (%s)", path, exc)


def capabilities_of(info: Any) -> dict[str, Any] | None:
    """Return a ModelInfo's `capabilities` as plain data, or None if it has none."""
    caps = getattr(info, "capabilities", None)
    if caps is None:
        return None
    data = caps.to_dict() if hasattr(caps, "to_dict") else caps
    return data if isinstance(data, dict) else None


async def probe_models(
    client: Any,
    models: Sequence[str],
    cache: Path | None = None,
    clock: Callable[[], float] = time.time,
) -> dict[str, dict[str, Any]]:
    """Return capabilities by model id, from the day's file or the Models API."""
    now = clock()
    known = _read(cache, now)
    if all(m in known for m in models):
        return {m: known[m] for m in models}
    found: dict[str, dict[str, Any]] = {}
    for model in models:
        try:
            info = await client.models.retrieve(model)
        except anthropic.NotFoundError:
            log.warning("the Models API does not know %r; check the model settings", model)
            continue
        except (anthropic.APIError, AttributeError, TypeError) as exc:
            log.info("model probe for %s failed (%s); using the table", model, type(exc).__name__)
            return found
        caps = capabilities_of(info)
        if caps is not None:
            found[model] = caps
    if found:
        _write(cache, {**known, **found}, now)
    return found
