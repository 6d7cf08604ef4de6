r"""Offsets and editor positions, in one place.

Nudge works in code-point offsets (Python string indices). Editors speak in
(line, character) positions where the character counts UTF-16 code units by
default, or UTF-8 bytes / code points when negotiated. Lines end at "\\n", "\\r\\n"
or "\\r" only, as the LSP specification and VS Code say; U+2028, U+0085 and form
feed are ordinary characters here (pygls splits on them, which is why Nudge owns
this conversion).

`LineIndex` keeps the start offset of every line and updates itself on an edit in
time proportional to the distance from the previous edit, not to the document size:
the starts after the last edit point carry a pending shift that is applied lazily.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable

UTF16 = "utf-16"
UTF8 = "utf-8"
UTF32 = "utf-32"

_NEWLINE = re.compile(r"\r\n|\r|\n")


class ShiftedOffsets:
    """A sorted list of offsets where every item from `split` on is off by `delta`.

    Inserting or shifting near the previous edit point costs little; the pending
    shift is pushed through only the items between the old and the new edit point.
    """

    __slots__ = ("_delta", "_items", "_split")

    def __init__(self, items: Iterable[int] = ()) -> None:
        self._items: list[int] = list(items)
        self._split = len(self._items)
        self._delta = 0

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index: int) -> int:
        if index < 0:
            index += len(self._items)
        value = self._items[index]
        return value + self._delta if index >= self._split else value

    def to_list(self) -> list[int]:
        """Return every offset, with pending shifts applied."""
        self._move_split(len(self._items))
        return list(self._items)

    def _move_split(self, index: int) -> None:
        """Make items before `index` exact, keeping the pending shift on the rest."""
        items, delta = self._items, self._delta
        if index > self._split:
            for i in range(self._split, index):
                items[i] += delta
        elif index < self._split:
            for i in range(index, self._split):
                items[i] -= delta
        self._split = index
        if self._split >= len(items):
            self._delta = 0

    def bisect_right(self, value: int) -> int:
        """Return how many offsets are <= `value`."""
        split = self._split
        items = self._items
        if split and items[split - 1] > value:
            return bisect.bisect_right(items, value, 0, split)
        return bisect.bisect_right(items, value - self._delta, split, len(items))

    def replace(self, first: int, last: int, new: list[int], delta: int) -> None:
        """Replace items[first:last] with the exact offsets `new`; shift later items by `delta`."""
        self._move_split(last)
        self._items[first:last] = new
        self._split = first + len(new)
        self._delta += delta
        if self._split >= len(self._items):
            self._delta = 0


def line_starts(text: str) -> list[int]:
    """Return the offset at which each line of `text` starts."""
    return [0, *(m.end() for m in _NEWLINE.finditer(text))]


class LineIndex:
    """Line starts of a text, kept current across incremental edits."""

    def __init__(self, text: str) -> None:
        self._starts = ShiftedOffsets(line_starts(text))

    @property
    def line_count(self) -> int:
        """Return the number of lines (an empty text has one)."""
        return len(self._starts)

    def line_start(self, line: int) -> int:
        """Return the offset where `line` (0-based) starts."""
        return self._starts[line]

    def line_of(self, offset: int) -> int:
        """Return the 0-based line containing `offset`."""
        return self._starts.bisect_right(offset) - 1

    def edit(self, text: str | ChunkedText, start: int, old_end: int, new_len: int) -> None:
        """Update for `text` (already edited) where [start, old_end) became new_len chars."""
        first = max(1, self._starts.bisect_right(start - 1))
        last = self._starts.bisect_right(old_end + 1)
        new_end = start + new_len
        lo = max(0, start - 1)
        window = text[lo : min(len(text), new_end + 2)]
        ends = (lo + m.end() for m in _NEWLINE.finditer(window))
        new = [e for e in ends if start <= e <= new_end + 1 and e > 0]
        self._starts.replace(first, last, new, new_len - (old_end - start))


_WIDE = {
    UTF16: re.compile("[\U00010000-\U0010ffff]"),  # two UTF-16 code units each
    UTF8: re.compile("[^\x00-\x7f]"),  # two to four bytes each
}


class LineUnits:
    """Columns of one line in an encoding's units, found by bisection.

    Only characters wider than one unit are listed (found once per line by a regex,
    so a 100 KB line with one emoji costs one scan, not one per position).
    """

    __slots__ = ("_columns", "_extra", "_starts", "length")

    def __init__(self, line_text: str, encoding: str = UTF16) -> None:
        self.length = len(line_text)
        self._columns: list[int] = []  # column of each wide character
        self._starts: list[int] = []  # its first unit
        self._extra: list[int] = []  # units beyond one, up to and including it
        pattern = _WIDE.get(encoding)
        if pattern is None or line_text.isascii():
            return
        extra = 0
        for match in pattern.finditer(line_text):
            column = match.start()
            width = 2 if encoding == UTF16 else len(match.group().encode("utf-8", "surrogatepass"))
            self._columns.append(column)
            self._starts.append(column + extra)
            extra += width - 1
            self._extra.append(extra)

    def units(self, column: int) -> int:
        """Return the units before code-point `column`."""
        k = bisect.bisect_left(self._columns, column)
        return column + (self._extra[k - 1] if k else 0)

    def column(self, units: int) -> int:
        """Return the column at `units`; inside a wide character round up; clamp to the end."""
        k = bisect.bisect_left(self._starts, units)
        if k:
            before = self._extra[k - 2] if k > 1 else 0
            end = self._starts[k - 1] + self._extra[k - 1] - before + 1
            if units < end:  # inside character k - 1
                return self._columns[k - 1] + 1
        column = units - (self._extra[k - 1] if k else 0)
        return max(0, min(column, self.length))


def column_to_units(line_text: str, column: int, encoding: str = UTF16) -> int:
    """Convert a code-point column within a line to the encoding's units."""
    return LineUnits(line_text, encoding).units(max(0, min(column, len(line_text))))


def units_to_column(line_text: str, units: int, encoding: str = UTF16) -> int:
    """Convert a count of encoding units within a line to a code-point column.

    A position inside a surrogate pair or multi-byte sequence rounds up to the
    next character; a position past the line's end is clamped to the end.
    """
    return LineUnits(line_text, encoding).column(units)


class PositionMapper:
    """Convert between offsets and (line, character) positions of one text."""

    def __init__(
        self, text: str | ChunkedText, encoding: str = UTF16, index: LineIndex | None = None
    ):
        if encoding not in (UTF8, UTF16, UTF32):
            raise ValueError(f"unknown position encoding {encoding!r}")
        self.text = text
        self.encoding = encoding
        self.index = index or LineIndex(str(text))
        self._lines: dict[int, LineUnits] = {}

    def _line(self, line: int) -> LineUnits:
        """Return the units of a line, measured once per mapper (the text must not change)."""
        units = self._lines.get(line)
        if units is None:
            start = self.index.line_start(line)
            count = self.index.line_count
            end = self.index.line_start(line + 1) if line + 1 < count else len(self.text)
            text = self.text[start:end].rstrip("\r\n")
            units = self._lines[line] = LineUnits(text, self.encoding)
        return units

    def position(self, offset: int) -> tuple[int, int]:
        """Return the (line, character) of a code-point offset."""
        offset = max(0, min(offset, len(self.text)))
        line = self.index.line_of(offset)
        units = self._line(line)
        return line, units.units(min(offset - self.index.line_start(line), units.length))

    def offset(self, line: int, character: int) -> int:
        """Return the code-point offset of a (line, character) position, clamped."""
        if line < 0:
            return 0
        if line >= self.index.line_count:
            return len(self.text)
        return self.index.line_start(line) + self._line(line).column(character)


class ChunkedText:
    """A long text kept as chunks, so a one-character edit copies one chunk, not the text.

    Supports `len()` and slicing with steps of one, which is all `PositionMapper`
    and the segmenter need; `str()` joins the chunks.
    """

    CHUNK = 8192

    def __init__(self, text: str = "") -> None:
        size = self.CHUNK
        self._chunks = [text[i : i + size] for i in range(0, len(text), size)] or [""]
        self._starts = list(range(0, max(len(text), 1), size))[: len(self._chunks)]
        self._length = len(text)

    def __len__(self) -> int:
        return self._length

    def __str__(self) -> str:
        return "".join(self._chunks)

    def _index(self, offset: int) -> int:
        return max(0, bisect.bisect_right(self._starts, offset) - 1)

    def __getitem__(self, key: slice) -> str:
        start, stop, _ = key.indices(self._length)
        if start >= stop:
            return ""
        first, last = self._index(start), self._index(stop - 1)
        base = self._starts[first]
        if first == last:
            return self._chunks[first][start - base : stop - base]
        joined = "".join(self._chunks[first : last + 1])
        return joined[start - base : stop - base]

    def replace(self, start: int, end: int, new: str) -> None:
        """Replace [start, end) with `new`."""
        first, last = self._index(start), self._index(max(start, end - 1))
        base = self._starts[first]
        merged = "".join(self._chunks[first : last + 1])
        merged = merged[: start - base] + new + merged[end - base :]
        size = self.CHUNK
        pieces = [merged[i : i + size] for i in range(0, len(merged), size)] or [""]
        self._chunks[first : last + 1] = pieces
        starts = [base + i * size for i in range(len(pieces))]
        delta = len(new) - (end - start)
        tail = [s + delta for s in self._starts[last + 1 :]]
        self._starts[first:] = starts + tail
        self._length += delta
        if len(self._chunks) > 1 and not self._chunks[-1]:
            self._chunks.pop()
            self._starts.pop()
