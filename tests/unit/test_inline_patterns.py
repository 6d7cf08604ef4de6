"""Inline masking patterns scan each block without the alternatives it cannot match,
and mask exactly as the whole pattern does."""

from __future__ import annotations

import re

import pytest

from nudge import segment

TEXTS = [
    "Plain prose with no markup at all.",
    "See https://example.com/a/b, or www.example.org today.",
    "Mail someone@example.com or see docs.example.co.uk/events/x.",
    "Use `code`, <b>tags</b>, [a link](x.md) and $x^2$ {{ tmpl }} | pipes.",
    "# Heading\n- item\n> quote\n1. one\n| a | b |\n|---|---|\n[ref]: http://x.y/z",
    "\\section{x} 50\\% of $a$ and \\cite{k} ~ & {} % comment",
    "``lit`` :role:`x` `link <http://x.y>`__ |sub| [1]_\n- item\n#. auto",
    "a/b but no host, user@ but no domain, www. alone",
]
PATTERNS = {
    "markdown": segment._MARKDOWN_INLINE,
    "latex": segment._LATEX_INLINE,
    "rst": segment._RST_INLINE,
    "plain": segment._PLAIN_INLINE,
}


@pytest.mark.parametrize("name", list(PATTERNS))
@pytest.mark.parametrize("text", TEXTS)
def test_masks_as_the_whole_pattern_does(name, text):
    inline = PATTERNS[name]
    whole = re.compile("|".join(inline._parts), inline._flags)
    assert segment.mask_text(text, inline) == segment.mask_text(text, whole)


def test_prose_without_slash_or_at_skips_url_and_email():
    pattern = segment._MARKDOWN_INLINE.for_text("plain words")
    assert pattern is not None and segment._EMAIL not in pattern.pattern
    assert segment._PLAIN_INLINE.for_text("plain words") is None
