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
