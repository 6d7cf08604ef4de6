"""The core pipeline without the editor: text in, filtered findings out.

`nudge check`, `nudge eval` and the language server all go through here, so a
threshold or a dismissal means the same thing everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from nudge.critics.base import Critic, CritiqueRequest, DocumentContext
from nudge.model import Block, Finding
from nudge.segment import split_blocks
from nudge.settings import Settings


def document_context(uri: str, language: str, blocks: Sequence[Block]) -> DocumentContext:
    """Return the title and headings of a document, for critics that want context."""
    headings = tuple(b.masked.strip() for b in blocks if b.kind == "heading")[:40]
    return DocumentContext(uri, language, headings[0] if headings else "", headings)


def check_blocks_now(critic: object, blocks: Sequence[Block]) -> list[Finding] | None:
    """Run a synchronous critic over blocks; return None if the critic is async only."""
    check_block = getattr(critic, "check_block", None)
    if check_block is None:
        return None
    out: list[Finding] = []
    for block in blocks:
        out.extend(f.shifted(block.start) for f in check_block(block))
    return out


async def critique_blocks(
    critic: Critic, blocks: Sequence[Block], context: DocumentContext
) -> list[Finding]:
    """Run any critic over blocks; return findings with absolute offsets."""
    batch = [CritiqueRequest(block, context) for block in blocks]
    results = await critic.critique(batch)
    return [f.shifted(b.start) for b, found in zip(blocks, results, strict=True) for f in found]


def critique_text(text: str, language: str, critic: Critic) -> list[Finding]:
    """Return a critic's findings for a whole text, with absolute code-point offsets."""
    blocks = split_blocks(text, language)
    found = check_blocks_now(critic, blocks)
    if found is None:
        context = document_context("", language, blocks)
        import asyncio  # only an async critic needs it: keep start-up light

        found = asyncio.run(critique_blocks(critic, blocks, context))
    return sorted(found, key=lambda f: (f.start, f.end))


def is_ignored(finding: Finding, ignored_phrases: Iterable[str]) -> bool:
    """Tell whether the team asked never to flag this phrase."""
    quote = " ".join(finding.quote.casefold().split())
    return any(quote == " ".join(p.casefold().split()) for p in ignored_phrases)


def merge_findings(*groups: Iterable[Finding]) -> list[Finding]:
    """Merge findings from several critics; the same words in the same category show once.

    Later groups win over earlier ones (pass local findings first, graded Claude
    findings after), and overlapping findings of one category collapse to one.
    """
    chosen: list[Finding] = []
    for group in groups:
        for finding in group:
            chosen = [
                f
                for f in chosen
                if not (f.category == finding.category and f.start < finding.end
                        and finding.start < f.end)
            ]  # fmt: skip
            chosen.append(finding)
    return sorted(chosen, key=lambda f: (f.start, f.end, f.category))


def select_findings(
    findings: Iterable[Finding],
    settings: Settings,
    dismissed: Callable[[Finding], bool] = lambda _f: False,
) -> list[Finding]:
    """Keep the findings the settings allow and the writer has not dismissed."""
    return [
        f
        for f in findings
        if settings.shows(f.category, f.confidence)
        and not is_ignored(f, settings.ignored_phrases)
        and not dismissed(f)
    ]
