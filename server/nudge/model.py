"""The plain data the core passes around: blocks of prose in, findings out.

Nothing here knows about the Language Server Protocol. Offsets are Python string
indices (code points); conversion to editor positions happens in `positions.py`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import Enum


class Category(str, Enum):
    """The kinds of problem Nudge reports."""

    CLICHE = "cliche"
    WORDINESS = "wordiness"
    CLARITY = "clarity"
    REDUNDANCY = "redundancy"

    @classmethod
    def parse(cls, value: str) -> Category | None:
        """Return the category named by `value`, or None for an unknown name."""
        try:
            return cls(value.strip().lower().replace("é", "e"))
        except ValueError:
            return None


ALL_CATEGORIES: tuple[str, ...] = tuple(c.value for c in Category)


def content_hash(text: str) -> str:
    """Return a short stable hash of a block's text, used in cache keys."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


@dataclass(frozen=True, slots=True)
class Block:
    """One unit of prose: a paragraph, heading, list item, table cell row or quote.

    `text` is the block exactly as it stands in the document, starting at code-point
    offset `start`. `masked` has the same length, with every character that is not
    prose (code, URLs, markup, math) replaced by a space, so critics can read it
    without ever flagging code and their offsets still line up with `text`.
    """

    start: int
    text: str
    masked: str
    kind: str = "paragraph"
    hash: str = ""

    @property
    def end(self) -> int:
        """Return the document offset just past the block."""
        return self.start + len(self.text)

    @classmethod
    def make(cls, start: int, text: str, masked: str, kind: str = "paragraph") -> Block:
        """Build a block, computing its content hash from text and kind."""
        return cls(start, text, masked, kind, content_hash(kind + "\0" + masked))


@dataclass(frozen=True, slots=True)
class Finding:
    """One suggestion about a span of a block.

    `start`/`end` are code-point offsets relative to the start of the block the
    critic was given (or of the whole text, once `absolute` has been applied).
    `quote` is the exact text at that span. A `replacement` of None means Nudge
    has no safe rewrite to offer; an empty string means "delete the quote".
    """

    start: int
    end: int
    quote: str
    category: str
    message: str
    replacement: str | None
    confidence: float
    rule: str
    critic: str = "local"
    extra: dict[str, object] = field(default_factory=dict, compare=False, hash=False)

    def shifted(self, offset: int) -> Finding:
        """Return the same finding moved by `offset` code points."""
        return Finding(
            self.start + offset,
            self.end + offset,
            self.quote,
            self.category,
            self.message,
            self.replacement,
            self.confidence,
            self.rule,
            self.critic,
            self.extra,
        )

    def to_json(self) -> dict[str, object]:
        """Return a JSON-ready dict of the finding's own fields (and a grader's note)."""
        out: dict[str, object] = {
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
            "category": self.category,
            "message": self.message,
            "replacement": self.replacement,
            "confidence": round(self.confidence, 4),
            "rule": self.rule,
            "critic": self.critic,
        }
        note = self.extra.get("note")
        if isinstance(note, str) and note:
            out["note"] = note
        return out

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Finding:
        """Rebuild a finding from `to_json` output; raises on malformed data."""
        replacement = data.get("replacement")
        return cls(
            start=int(data["start"]),  # type: ignore[arg-type]
            end=int(data["end"]),  # type: ignore[arg-type]
            quote=str(data["quote"]),
            category=str(data["category"]),
            message=str(data["message"]),
            replacement=None if replacement is None else str(replacement),
            confidence=float(data["confidence"]),  # type: ignore[arg-type]
            rule=str(data.get("rule", "")),
            critic=str(data.get("critic", "local")),
            extra={"note": str(data["note"])} if data.get("note") else {},
        )
