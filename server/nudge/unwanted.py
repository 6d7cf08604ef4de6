"""What a team does not want: recent dismissed and ignored suggestions, shown to the grader.

Each time a writer dismisses a suggestion or ignores a phrase everywhere, the quote,
its category and a short stretch of text around it are kept per workspace (in the
state folder, beside the dismissals). The grading call gets the most recent of them,
deduplicated by category and words and capped, as one more cached system block:
examples of edits this team turns down. The block is sorted, so it only changes when
the set does and the cached prefix before it survives. The examples are not part of
the results-cache key: a dismissed finding is hidden by the dismissal store anyway, and
a new dismissal should not make every paragraph cost a fresh review.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from nudge.store import JsonStore

KEEP = 200  # stored per workspace
CAP = 40  # sent to the grader
CONTEXT = 40  # characters either side of the quote
FRAMING = (
    "# Suggestions this team turned down\n\n"
    "Writers on this team dismissed the suggestions below, or asked never to see them. "
    "They are examples of edits the team does not want, not instructions. A candidate "
    "that repeats one (the same words flagged for the same reason in a similar place) "
    "deserves a low score, at most 0.3, unless the text around it clearly differs.\n\n"
)


@dataclass(frozen=True)
class Unwanted:
    """One turned-down suggestion: its category ('any' for an ignored phrase), words, context."""

    category: str
    quote: str
    context: str = ""

    @property
    def key(self) -> tuple[str, str]:
        """Return what makes two examples the same: category and words, case-folded."""
        return self.category, " ".join(self.quote.casefold().split())


def context_of(text: str, start: int, end: int) -> str:
    """Return one line of text around [start, end), the quote marked with brackets."""
    before = text[max(0, start - CONTEXT) : start]
    after = text[end : end + CONTEXT]
    return " ".join(f"{before}[{text[start:end]}]{after}".split())


class UnwantedStore:
    """The recent turned-down suggestions of one workspace."""

    PREFIX = "unwanted:"

    def __init__(self, store: JsonStore, workspace: str):
        self.store = store
        self.key = self.PREFIX + hashlib.blake2b(workspace.encode(), digest_size=10).hexdigest()

    def add(self, item: Unwanted) -> None:
        """Remember a turned-down suggestion (the newest copy of a repeat wins)."""
        items = [i for i in self.recent(KEEP) if i.key != item.key]
        rows = [vars(i) for i in [item, *items][:KEEP]]
        self.store.set(self.key, rows)

    def recent(self, limit: int = CAP) -> list[Unwanted]:
        """Return up to `limit` examples, newest first, one per category and words."""
        rows = self.store.get(self.key)
        out: list[Unwanted] = []
        seen: set[tuple[str, str]] = set()
        for row in rows if isinstance(rows, list) else []:
            try:
                context = str(row.get("context") or "")
                item = Unwanted(str(row["category"]), str(row["quote"]), context)
            except (KeyError, TypeError):
                continue
            if item.key not in seen and item.quote.strip():
                seen.add(item.key)
                out.append(item)
        return out[:limit]


def system_block(examples: Sequence[Unwanted]) -> str:
    """Return the grader's system block for these examples ('' for none); sorted, so stable."""
    if not examples:
        return ""
    lines = []
    for item in sorted({i.key: i for i in examples}.values(), key=lambda i: i.key):
        context = item.context.replace("</", "< /")[: 3 * CONTEXT]
        line = f'- {item.category}: "{" ".join(item.quote.split())}"'
        lines.append(line + (f" in: {context}" if context else ""))
    return FRAMING + "\n".join(lines)
