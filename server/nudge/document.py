"""An open document: its text, line index and blocks, kept current edit by edit.

`apply_edit` splices the text, updates the line index and re-segments only the
region between the block before the edit and the block after it; everything past
that region keeps its blocks, whose start offsets are shifted lazily. It returns
the blocks that changed, so the caller can mark them dirty without rescanning.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nudge.model import Block
from nudge.positions import UTF16, ChunkedText, LineIndex, PositionMapper, ShiftedOffsets
from nudge.segment import is_prose, segment


@dataclass
class EditResult:
    """What an edit changed, and whether all blocks were redone.

    `changed` are the new prose blocks whose text is new; `removed` and `added` are
    every prose block the edit took out and put in (what a scheduler keeping counts
    by hash needs). After a full redo, `removed` is empty and `added` is everything.
    """

    changed: list[Block] = field(default_factory=list)
    full: bool = False
    removed: list[Block] = field(default_factory=list)
    added: list[Block] = field(default_factory=list)


class PlainText:
    """A document's text and line index, kept current edit by edit, without blocks.

    This is all Nudge keeps of a document it skips (too large, excluded, a language
    not enabled), so the document can be checked again when it shrinks or settings
    change, without the editor reopening it.
    """

    def __init__(self, uri: str, text: str, language: str, version: int = 0, encoding: str = UTF16):
        self.uri = uri
        self.language = language
        self.version = version
        self.encoding = encoding
        self.buffer = ChunkedText(text)
        self._text: str | None = text
        self.lines = LineIndex(text)

    @classmethod
    def sharing(cls, other: PlainText) -> PlainText:
        """Return a PlainText over another document's buffer and line index (no copy)."""
        plain = cls(other.uri, "", other.language, other.version, other.encoding)
        plain.buffer, plain.lines, plain._text = other.buffer, other.lines, None
        return plain

    @property
    def text(self) -> str:
        """Return the whole text (joined once per edit, off the keystroke path)."""
        if self._text is None:
            self._text = str(self.buffer)
        return self._text

    def __len__(self) -> int:
        return len(self.buffer)

    @property
    def mapper(self) -> PositionMapper:
        """Return a position mapper over the current text."""
        return PositionMapper(self.buffer, self.encoding, self.lines)

    def _splice(self, start: int, end: int, new_text: str, version: int) -> None:
        self.buffer.replace(start, end, new_text)
        self._text = None
        self.version = version
        self.lines.edit(self.buffer, start, end, len(new_text))

    def replace_all(self, text: str, version: int) -> EditResult:
        """Replace the whole text (a full-sync change)."""
        self.buffer = ChunkedText(text)
        self._text = text
        self.version = version
        self.lines = LineIndex(text)
        return EditResult([], True)

    def apply_edit(self, start: int, end: int, new_text: str, version: int) -> EditResult:
        """Replace text[start:end] with `new_text`."""
        start = max(0, min(start, len(self.buffer)))
        self._splice(start, max(start, min(end, len(self.buffer))), new_text, version)
        return EditResult()


class Document(PlainText):
    """A text document with incremental segmentation."""

    def __init__(self, uri: str, text: str, language: str, version: int = 0, encoding: str = UTF16):
        super().__init__(uri, text, language, version, encoding)
        self._resegment_all()

    def _resegment_all(self) -> None:
        blocks = segment(self.text, self.language).blocks
        self._blocks = blocks
        self._starts = ShiftedOffsets(b.start for b in blocks)
        self._cached: list[Block] | None = blocks

    def blocks(self) -> list[Block]:
        """Return all regions (prose and opaque) with current start offsets."""
        if self._cached is None:
            starts = self._starts.to_list()
            self._blocks = [
                b if b.start == s else Block(s, b.text, b.masked, b.kind, b.hash)
                for b, s in zip(self._blocks, starts, strict=True)
            ]
            self._cached = self._blocks
        return self._cached

    def placed_blocks(self) -> tuple[list[Block], list[int]]:
        """Return every block and its current start; a block's own `start` may be stale.

        Cheaper than `blocks()` after an edit near the top of a large document: no
        block is rebuilt, only the start offsets are brought up to date.
        """
        if self._cached is not None:
            return self._cached, [b.start for b in self._cached]
        return self._blocks, self._starts.to_list()

    def prose_blocks(self) -> list[Block]:
        """Return the blocks critics should read."""
        return [b for b in self.blocks() if is_prose(b)]

    def block_at(self, offset: int) -> Block | None:
        """Return the block containing `offset` (its end included), if any."""
        i = self._starts.bisect_right(offset) - 1
        if i < 0:
            return None
        block = self._blocks[i]
        start = self._starts[i]
        if offset <= start + len(block.text):
            return Block(start, block.text, block.masked, block.kind, block.hash)
        return None

    def _blank_before(self, index: int) -> bool:
        """Tell whether segmentation can restart at block `index` (old text).

        It can after a blank line, unless the block is indented: an indented block
        may belong to what comes before it across the blank line (a directive's body,
        the literal block after `::`, a list item's continuation).
        """
        before, block = self._blocks[index - 1], self._blocks[index]
        gap = self.buffer[self._starts[index - 1] + len(before.text) : self._starts[index]]
        breaks = gap.count("\n") + gap.count("\r") - gap.count("\r\n")
        return breaks >= 2 and before.kind != "list_item" and block.text[:1] not in (" ", "\t")

    def _front_matter_opener(self) -> str | None:
        """Return the first line's front matter marker (`---` or `+++`) in Markdown, if any."""
        if self.language != "markdown":
            return None
        head = self.buffer[0:4096]
        first = head.splitlines()[0].strip() if head else ""
        return first if first in ("---", "+++") else None

    def replace_all(self, text: str, version: int) -> EditResult:
        """Replace the whole text (a full-sync change)."""
        super().replace_all(text, version)
        self._resegment_all()
        prose = [b for b in self._blocks if is_prose(b)]
        return EditResult(prose, True, [], prose)

    def apply_edit(self, start: int, end: int, new_text: str, version: int) -> EditResult:
        """Replace text[start:end] with `new_text` and re-segment around it."""
        length = len(self.buffer)
        start = max(0, min(start, length))
        end = max(start, min(end, length))
        starts = self._starts
        n = len(self._blocks)
        # Redo blocks [first, last): from a block that follows a blank line, where the
        # segmenter's state is reset, through one that is followed by a blank line.
        first = max(0, starts.bisect_right(start) - 2)
        while first > 0 and not self._blank_before(first):
            first -= 1
        # Front matter runs from offset 0 to its closing line: while the first line
        # opens it and nothing closes it yet, any edit may add the closing line.
        opener = self._front_matter_opener()
        had_front_matter = n > 0 and self._blocks[0].kind == "frontmatter"
        if opener and not had_front_matter:
            first = 0
        last = min(n, starts.bisect_right(end) + 1)
        while last < n and not self._blank_before(last):
            last += 1
        lo = starts[first] if first > 0 else 0
        hi = starts[last] if last < n else length
        delta = len(new_text) - (end - start)
        self._splice(start, end, new_text, version)
        result = segment(self.buffer[lo : hi + delta], self.language, lo)
        if first == 0 and (new_opener := self._front_matter_opener()):
            found = bool(result.blocks) and result.blocks[0].kind == "frontmatter"
            # Without a closing line in the window, one may lie past it, unless the old
            # text (the same opener, never closed) had none anywhere.
            if not found and (had_front_matter or new_opener != opener):
                result.clean = False
        if not result.clean:
            self._resegment_all()
            prose = [b for b in self._blocks if is_prose(b)]
            return EditResult(prose, True, [], prose)
        new_blocks = result.blocks
        removed = [b for b in self._blocks[first:last] if is_prose(b)]
        old_hashes = {b.hash for b in self._blocks[first:last]}
        self._blocks[first:last] = new_blocks
        starts.replace(first, last, [b.start for b in new_blocks], delta)
        self._cached = None
        added = [b for b in new_blocks if is_prose(b)]
        changed = [b for b in added if b.hash not in old_hashes]
        return EditResult(changed, False, removed, added)
