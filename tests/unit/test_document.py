import random

import pytest

from nudge.document import Document
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


def _signature(blocks):
    return [(b.start, b.text, b.masked, b.kind) for b in blocks]


@pytest.mark.parametrize("language", ["markdown", "plaintext", "latex", "restructuredtext"])
def test_random_edits_match_full_segmentation(language):
    rng = random.Random(11)
    doc = Document("file:///t.md", SAMPLE, language)
    pieces = ["a", " ", "\n", "\n\n", "`", "```", "- ", "# ", "> ", "x", "---", "$$", "\\[", "::"]
    text = SAMPLE
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
