"""What the scheduler knows of one open document: live blocks by hash, counted.

Blocks are kept by content hash with a count (identical paragraphs share one entry), so
an edit is applied as the blocks it took out and put in, and the blocks still to review
(`todo`, in document order) are a set to look at, not a document to walk.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from nudge.critics.base import DocumentContext
from nudge.model import Block

_SENTENCE_END = re.compile(r"[.!?][\"'’”)\]*_]*\s*$")
_WORD = re.compile(r"[^\W\d_]{2,}")


@dataclass
class PendingDocument:
    """One document's live prose blocks, and which of them still wait for a review."""

    uri: str
    version: int
    context: DocumentContext
    blocks: dict[str, Block] = field(default_factory=dict)  # live prose blocks by hash
    counts: Counter[str] = field(default_factory=Counter)  # live blocks per hash
    cursor_block: Block | None = None  # the block the writer is typing in
    last_edit: float = 0.0
    reviewed_inside: int | None = None
    # live, worth sending, not yet reviewed; a dict keeps document order for batching
    todo: dict[str, None] = field(default_factory=dict)
    done: set[str] = field(default_factory=set)
    requested: set[str] = field(default_factory=set)

    def add(self, block: Block) -> None:
        """Count one more live block; a new one worth sending joins `todo`."""
        self.counts[block.hash] += 1
        self.blocks[block.hash] = block
        if block.hash not in self.done:
            if worth_sending(block):
                self.todo[block.hash] = None
            else:
                self.done.add(block.hash)

    def remove(self, block_hash: str) -> bool:
        """Drop one live block with this hash; return True when none is left."""
        if self.counts[block_hash] > 1:
            self.counts[block_hash] -= 1
            return False
        self.counts.pop(block_hash, None)
        self.blocks.pop(block_hash, None)
        self.todo.pop(block_hash, None)
        self.done.discard(block_hash)
        self.requested.discard(block_hash)
        return True


def estimate_tokens(block: Block) -> int:
    """Return a rough token count for sending a block (about four characters a token)."""
    return len(block.masked.strip()) // 4 + 8


def worth_sending(block: Block) -> bool:
    """Tell whether a block has enough prose (three words) to be worth a critique."""
    return len(_WORD.findall(block.masked)) >= 3


def ends_sentence(block: Block) -> bool:
    """Tell whether a block's text ends with a finished sentence."""
    return bool(_SENTENCE_END.search(block.text))
