import bisect
import random

import pytest

from nudge.positions import UTF8, UTF16, UTF32, ChunkedText, LineIndex, PositionMapper, line_starts


@pytest.mark.parametrize(
    ("text", "starts"),
    [
        ("", [0]),
        ("a", [0]),
        ("a\nb", [0, 2]),
        ("a\r\nb", [0, 3]),
        ("a\rb", [0, 2]),
        ("a\n", [0, 2]),
        ("a\u2028b\x85c\x0cd", [0]),
    ],
)
def test_line_starts_split_only_on_lsp_newlines(text, starts):
    assert line_starts(text) == starts


@pytest.mark.parametrize(
    ("text", "offset", "encoding", "expected"),
    [
        ("héllo", 2, UTF16, (0, 2)),
        ("😀 cliché", 2, UTF16, (0, 3)),
        ("😀 cliché", 2, UTF8, (0, 5)),
        ("😀 cliché", 2, UTF32, (0, 2)),
        ("a\r\n😀b", 4, UTF16, (1, 2)),
        ("\tx", 1, UTF16, (0, 1)),
        ("中文 text", 3, UTF16, (0, 3)),
        ("中文 text", 3, UTF8, (0, 7)),
        ("x\u2028y", 2, UTF16, (0, 2)),
        ("", 0, UTF16, (0, 0)),
    ],
)
def test_position_of_offset(text, offset, encoding, expected):
    mapper = PositionMapper(text, encoding)
    assert mapper.position(offset) == expected
    assert mapper.offset(*expected) == offset


@pytest.mark.parametrize(
    ("text", "line", "character", "expected"),
    [
        ("abc", 0, 99, 3),
        ("abc\ndef", 5, 0, 7),
        ("abc\r\ndef", 0, 10, 3),
        ("😀b", 0, 1, 1),  # inside a surrogate pair rounds up
        ("abc", -1, 0, 0),
    ],
)
def test_offset_clamps(text, line, character, expected):
    assert PositionMapper(text).offset(line, character) == expected


def test_incremental_edits_match_full_rebuild():
    rng = random.Random(7)
    alphabet = ["a", "b", " ", "\n", "\r", "\r\n", "😀", "é"]
    text = "hello\nworld\r\nthird line\rfourth"
    index = LineIndex(text)
    for _ in range(3000):
        start = rng.randint(0, len(text))
        end = rng.randint(start, min(len(text), start + rng.choice([0, 0, 1, 3, 10])))
        insert = "".join(rng.choice(alphabet) for _ in range(rng.choice([0, 1, 1, 2, 5])))
        text = text[:start] + insert + text[end:]
        index.edit(text, start, end, len(insert))
        expected = line_starts(text)
        assert [index.line_start(i) for i in range(index.line_count)] == expected
        probe = rng.randint(0, len(text))
        assert index.line_of(probe) == bisect.bisect_right(expected, probe) - 1


def test_chunked_text_matches_plain_string(monkeypatch):
    monkeypatch.setattr(ChunkedText, "CHUNK", 7)
    rng = random.Random(3)
    text = "The quick brown fox 😀 jumps over the lazy dog.\n" * 3
    chunked = ChunkedText(text)
    for _ in range(2000):
        start = rng.randint(0, len(text))
        end = rng.randint(start, min(len(text), start + rng.choice([0, 1, 5, 30])))
        insert = "".join(rng.choice("ab\n😀 ") for _ in range(rng.choice([0, 1, 2, 12])))
        text = text[:start] + insert + text[end:]
        chunked.replace(start, end, insert)
        assert len(chunked) == len(text)
        a = rng.randint(0, len(text))
        b = rng.randint(a, len(text))
        assert chunked[a:b] == text[a:b]
    assert str(chunked) == text
    assert str(ChunkedText("")) == ""


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8", "utf-32"])
def test_line_units_match_a_plain_count(encoding):
    from nudge.positions import column_to_units, units_to_column

    rng = random.Random(encoding)
    alphabet = ["a", " ", "é", "中", "😀", "\U0001f9ea", "z"]
    for _ in range(200):
        line = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        width = {"utf-16": 2, "utf-8": 0, "utf-32": 4}[encoding]

        def units(prefix, width=width):
            if encoding == "utf-8":
                return len(prefix.encode("utf-8"))
            return len(prefix.encode("utf-16-le" if width == 2 else "utf-32-le")) // width

        for column in range(len(line) + 1):
            u = units(line[:column])
            assert column_to_units(line, column, encoding) == u
            assert units_to_column(line, u, encoding) == column
        for u in range(units(line) + 3):
            column = units_to_column(line, u, encoding)
            assert units(line[:column]) >= min(u, units(line))  # rounds up inside a character
            assert column == 0 or units(line[: column - 1]) < u
