"""Actions and commands: quick fixes, dismiss, ignore everywhere, review now, usage.

Everything a client sends is untrusted: diagnostic data and command arguments are
checked before use (`offset_arg` refuses booleans, fractions, NaN and Infinity).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lsprotocol import types

from nudge.lsp.convert import code_actions
from nudge.lsp.documents import settings_changed
from nudge.lsp.server import NudgeServer
from nudge.session import Session
from nudge.settings import TEAM_FILE
from nudge.team_file import add_ignored_phrase, add_ignored_rule
from nudge.telemetry import read_events, summarize

COMMANDS = ("nudge.dismiss", "nudge.ignorePhrase", "nudge.clearDismissals",
            "nudge.reviewDocument", "nudge.usage", "nudge.ignoreRule")  # fmt: skip


def code_action(ls: NudgeServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
    """Offer replace / dismiss / ignore-everywhere for Nudge's diagnostics in range."""
    session = ls.session
    uri = params.text_document.uri
    doc = session.documents.get(uri) if session else None
    if session is None or doc is None:
        return None
    actions: list[types.CodeAction] = []
    for diagnostic in params.context.diagnostics:
        data = diagnostic.data
        if diagnostic.source != "nudge" or not isinstance(data, dict):
            continue
        try:
            start, end = offset_arg(data["start"]), offset_arg(data["end"])
        except (KeyError, TypeError, ValueError):
            ls.warn("Nudge: ignored a code action request with malformed diagnostic data.")
            continue
        finding = session.locate(uri, start, end, str(data.get("rule")))
        if finding is not None:
            actions += code_actions(uri, doc.version, doc.mapper, finding, diagnostic,
                                    ignore_rule=True)  # fmt: skip
    return actions or None


def offset_arg(value: Any) -> int:
    """Return a client-sent offset as an int; refuse booleans, fractions, NaN and Infinity."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"expected an offset, got {type(value).__name__}")
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        raise ValueError(f"expected a whole offset, got {value}")
    if not 0 <= value <= 2**53:
        raise ValueError(f"offset {value} out of range")
    return int(value)


def _finding_args(ls: NudgeServer, args: tuple[Any, ...]) -> tuple[Session, str, Any] | None:
    session = ls.session
    try:
        uri, start, end, rule = args
        start, end = offset_arg(start), offset_arg(end)
        finding = session.locate(str(uri), start, end, str(rule)) if session else None
    except (TypeError, ValueError):
        ls.warn(f"Nudge: ignored a command with malformed arguments {list(args)!r}.")
        return None
    if session is None or finding is None:
        return None
    return session, str(uri), finding


def dismiss(ls: NudgeServer, *args: Any) -> None:
    """Dismiss one finding for good and re-publish."""
    found = _finding_args(ls, args)
    if found is not None:
        session, uri, finding = found
        session.dismiss(uri, finding)
        ls.publish(uri)


async def ignore_phrase(ls: NudgeServer, *args: Any) -> None:
    """Add a phrase to the team's `.nudge.toml` and re-publish everything."""
    await _add_to_team_file(ls, args, "phrase", "a phrase", add_ignored_phrase, "note_ignored")


async def ignore_rule(ls: NudgeServer, *args: Any) -> None:
    """Add a rule id to the team's `ignored_rules` in `.nudge.toml` and re-publish."""
    await _add_to_team_file(ls, args, "rule", "a rule id", add_ignored_rule, "note_ignored_rule")


async def _add_to_team_file(
    ls: NudgeServer,
    args: tuple[Any, ...],
    what: str,
    needs: str,
    write: Callable[[Path, str], Path],
    note: str,
) -> None:
    """Check `[uri, value]`, write the value to the team file, record it, re-publish."""
    session = ls.session
    if session is None or len(args) != 2 or not isinstance(args[1], str) or not args[1].strip():
        ls.warn(f"Nudge: 'ignore {what}' needs a document and {needs}.")
        return
    if session.root is None:
        ls.warn(f"Nudge: open a folder to ignore {what}s workspace-wide (.nudge.toml lives there).")
        return
    value = args[1].strip()
    try:
        write(session.root, value)
    except (OSError, ValueError) as exc:
        ls.warn(f"Nudge could not update {TEAM_FILE}: {exc}")
        return
    getattr(session, note)(value)
    ls.apply_settings()
    await settings_changed(ls)


def clear_dismissals(ls: NudgeServer, *args: Any) -> int:
    """Forget this workspace's dismissals (`{"scope": "all"}`: every workspace's) and re-publish.

    `{"preview": true}` only counts them, so the client can confirm with a number.
    """
    options = args[0] if args and isinstance(args[0], dict) else {}
    everywhere = options.get("scope") == "all"
    if ls.session is None:
        return 0
    if options.get("preview") is True:
        return ls.session.dismissals.count(everywhere)
    count = ls.session.dismissals.clear(everywhere)
    ls.publish_all()
    return count


def review_document(ls: NudgeServer, *args: Any) -> None:
    """Review a document (or every open one) now: publish, and send it to Claude."""
    session = ls.session
    if args and isinstance(args[0], str):
        uris = [args[0]]
    else:
        uris = list(session.documents) if session else []
    for uri in uris:
        ls.publish(uri)
        if ls.bridge is not None:
            ls.bridge.review_now(uri)


def usage(ls: NudgeServer, *args: Any) -> dict[str, Any]:
    """Return tokens, cost, requests and acceptance per category from local telemetry."""
    telemetry = ls.session.telemetry if ls.session else None
    if telemetry is None:
        events: list[dict[str, Any]] = []
    elif telemetry.path is not None:
        events = read_events(telemetry.path)
    else:
        events = telemetry.events
    summary = summarize(events)
    tokens = summary["tokens"]
    state, message = ls.idle_state()
    reviewed = sum(int(e.get("blocks", 0) or 0) for e in events if e.get("event") == "findings")
    looked_up = reviewed + summary["cache_hits"]
    today: dict[str, Any] = {}
    if ls.bridge is not None:
        budget = ls.bridge.service.budget
        spent_tokens, spent_usd = budget.spent()
        today = {
            "tokens": spent_tokens, "token_limit": budget.token_limit,
            "cost_usd": round(spent_usd, 4), "cost_limit_usd": budget.cost_limit_usd,
        }  # fmt: skip
    return {
        "today": today,
        "cache_hit_rate": round(summary["cache_hits"] / looked_up, 3) if looked_up else None,
        "claude": ls.bridge is not None,
        "state": state,
        "message": message,
        "documents": len(ls.session.documents) if ls.session else 0,
        "shown": sum(ls.published.values()),
        "tokens": {
            "input": tokens.get("input_tokens", 0),
            "output": tokens.get("output_tokens", 0),
            "cache_write": tokens.get("cache_write_tokens", 0),
            "cache_read": tokens.get("cache_read_tokens", 0),
        },
        "cost_usd": summary["cost_usd"],
        "requests": summary["requests"],
        "cache_hits": summary["cache_hits"],
        "categories": summary["categories"],
    }
