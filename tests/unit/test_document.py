import os
import random

import pytest

from nudge.document import Document
from nudge.segment import OPAQUE_KINDS as OPAQUE
from nudge.segment import segment

SAMPLE = """---
title: Test
---
# A heading

First paragraph in order to test. It has `code` in it.

```python
x = 1

y = 2
```

- a list item
- another item

> a quote
> that goes on

Last paragraph.
"""


RST_SAMPLE = """Title
=====

First paragraph in order to test.

.. note::
   :class: small

   A note the writer wrote, at the present time.

   Its second paragraph.

.. code-block:: python

   in_order_to = 1

Last paragraph::

    literal text

Done.
"""


def _signature(blocks):
    return [(b.start, b.text, b.masked, b.kind) for b in blocks]


@pytest.mark.parametrize(
    ("language", "sample"),
    [
        ("markdown", SAMPLE),
        ("plaintext", SAMPLE),
        ("latex", SAMPLE),
        ("restructuredtext", SAMPLE),
        ("restructuredtext", RST_SAMPLE),
    ],
)
def test_random_edits_match_full_segmentation(language, sample):
    rng = random.Random(11)
    doc = Document("file:///t.md", sample, language)
    pieces = ["a", " ", "\n", "\n\n", "`", "```", "- ", "# ", "> ", "x", "---", "$$", "\\[", "::"]
    pieces += [".. note::\n", "   ", ":class: x"]
    text = sample
    for version in range(1, 800):
        start = rng.randint(0, len(text))
        end = rng.randint(start, min(len(text), start + rng.choice([0, 0, 1, 4, 20])))
        insert = rng.choice(pieces) if rng.random() < 0.8 else ""
        text = text[:start] + insert + text[end:]
        doc.apply_edit(start, end, insert, version)
        assert doc.text == text
        assert _signature(doc.blocks()) == _signature(segment(text, language).blocks), version


def test_edit_inside_paragraph_reports_only_that_block():
    doc = Document("file:///t.md", SAMPLE, "markdown")
    offset = SAMPLE.index("Last paragraph") + 4
    result = doc.apply_edit(offset, offset, "ing", 1)
    assert not result.full
    assert [b.text for b in result.changed] == ["Lasting paragraph."]


def test_block_at_finds_the_paragraph():
    doc = Document("file:///t.md", SAMPLE, "markdown")
    offset = SAMPLE.index("order")
    block = doc.block_at(offset)
    assert block is not None and block.text.startswith("First paragraph")


def test_rst_admonition_bodies_are_prose_but_code_directives_are_not():
    blocks = [b for b in segment(RST_SAMPLE, "restructuredtext").blocks if b.kind not in OPAQUE]
    texts = [b.text.strip() for b in blocks]
    assert "A note the writer wrote, at the present time." in texts
    assert "Its second paragraph." in texts
    assert not any("in_order_to" in t or ":class:" in t or "literal text" in t for t in texts)


@pytest.mark.parametrize(
    ("language", "text", "offset", "insert"),
    [
        # Typing the closing `---` turns everything above it into front matter.
        ("markdown", "---\n\nFirst paragraph here.\n\nAt the end of the day, we won.\n",
         None, "---"),
        # `e` before `.. note::` makes it a paragraph ending in `::`, whose literal block
        # claims every indented line after it, across the blank line.
        ("restructuredtext",
         ".. note::\n   Each and every item is very unique.\n\n    in order to build, literal\n",
         0, "e"),
        # A new list item claims the indented block after it (no longer code).
        ("markdown", "Intro.\n\npara\n\n    indented in order to\n", 6, "\n\n- item"),
        # A new first line `---` opens front matter up to a later `---`.
        ("markdown", "Title\n\nSome text.\n\n---\n\nAt the end of the day.\n", 0, "---\n"),
        # Typing `nudge off` far above its `on` turns every paragraph between them off.
        ("markdown", "Intro.\n\n" + "A para.\n\n" * 8 + "<!-- nudge on -->\n\nAfter.\n", 8,
         "<!-- nudge off -->\n\n"),
        ("latex", "Intro.\n\n" + "A para.\n\n" * 8 + "% nudge on\n\nAfter.\n", 8,
         "% nudge off\n\n"),
        ("restructuredtext", "Intro.\n\n" + "A para.\n\n" * 8 + ".. nudge on\n\nAfter.\n", 8,
         ".. nudge off\n\n"),
        # An `on` typed after an `off` that ran to the end.
        ("markdown", "<!-- nudge off -->\n\n" + "A para.\n\n" * 8, None, "<!-- nudge on -->\n"),
    ],
)  # fmt: skip
def test_edit_that_reaches_beyond_blank_lines_matches_full_segmentation(
    language, text, offset, insert
):
    doc = Document("file:///t", text, language)
    at = len(text) if offset is None else offset
    doc.apply_edit(at, at, insert, 1)
    edited = text[:at] + insert + text[at:]
    assert _signature(doc.blocks()) == _signature(segment(edited, language).blocks)
    # Deleting what was typed brings back the first segmentation.
    doc.apply_edit(at, at + len(insert), "", 2)
    assert _signature(doc.blocks()) == _signature(segment(text, language).blocks)


SHAPES = {
    "markdown": ["---\n", "+++\n", "...\n", "- item\n", "    code\n", "\n", "para text\n",
                 "```\n", "# head\n", "<!--\n", "-->\n", "$$\n", "> q\n", "1. one\n",
                 "<!-- nudge off -->\n", "<!-- nudge on -->\n", "x <!-- nudge ignore-line -->\n",
                 "<!-- nudge ignore-line -->\n"],
    "restructuredtext": [".. note::\n", "   body\n", "    deep\n", "para::\n", "\n", "text\n",
                         ".. code-block:: python\n", "   :class: x\n", "====\n", "- item\n",
                         ".. nudge off\n", ".. nudge on\n", ".. nudge ignore-line\n"],
    "latex": ["\\begin{equation}\n", "\\end{equation}\n", "\\[\n", "\\]\n", "% c\n", "\n",
              "text here\n", "\\item x\n", "\\section{A}\n", "% nudge off\n", "% nudge on\n",
              "x % nudge ignore-line\n", "% nudge ignore-line\n"],
    "plaintext": ["\n", "text\n", "  indented\n"],
}  # fmt: skip


def random_history(rng: random.Random, language: str, edits: int) -> None:
    """Apply a random edit history and compare with a fresh segmentation after each edit."""
    shapes = SHAPES[language]
    text = "".join(rng.choice(shapes) for _ in range(rng.randint(0, 12)))
    doc = Document("file:///t", text, language)
    for version in range(1, edits + 1):
        start = rng.randint(0, len(text))
        end = rng.randint(start, min(len(text), start + rng.choice([0, 0, 1, 3, 12])))
        roll = rng.random()
        insert = (rng.choice(shapes) if roll < 0.5 else rng.choice(shapes).rstrip("\n")
                  if roll < 0.8 else rng.choice(["e", " ", "\n", ":", "-", ""]))  # fmt: skip
        text = text[:start] + insert + text[end:]
        doc.apply_edit(start, end, insert, version)
        expected = _signature(segment(text, language).blocks)
        assert _signature(doc.blocks()) == expected, (language, version, text)


# Set NUDGE_FUZZ_SEQUENCES=100000 for the long run; CI runs a few hundred.
SEQUENCES = int(os.environ.get("NUDGE_FUZZ_SEQUENCES", "600"))


@pytest.mark.parametrize("language", sorted(SHAPES))
def test_random_histories_match_full_segmentation(language):
    for seed in range(SEQUENCES // len(SHAPES)):
        random_history(random.Random(f"{language}-{seed}"), language, edits=40)
