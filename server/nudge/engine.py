"""The core pipeline without the editor: text in, findings out, filtered in one place.

Critics hand on raw findings: Claude's keep the grader's confidence however low it
is, and are cached that way. `visible_findings` is the one function that decides what
a writer sees: each group filtered by the settings and the team's ignored phrases and rules,
local and Claude merged, dismissals dropped. The editor, `nudge check` and `nudge eval
--critic merged` all call it, so a threshold or a dismissal means the same thing
everywhere, and lowering a threshold shows already-graded findings without a call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from nudge.critics.base import Critic, CritiqueRequest, DocumentContext, SyncCritic
from nudge.model import Block, Finding
from nudge.segment import split_blocks
from nudge.settings import Settings


def document_context(uri: str, language: str, blocks: Sequence[Block]) -> DocumentContext:
    """Return the title and headings of a document, for critics that want context."""
    headings = tuple(b.masked.strip() for b in blocks if b.kind == "heading")[:40]
    return DocumentContext(uri, language, headings[0] if headings else "", headings)


def check_blocks_now(critic: Critic, blocks: Sequence[Block]) -> list[Finding] | None:
    """Run a synchronous critic over blocks; return None if the critic is async only."""
    if not isinstance(critic, SyncCritic):
        return None
    out: list[Finding] = []
    for block in blocks:
        out.extend(f.shifted(block.start) for f in critic.check_block(block))
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


def keep_allowed(findings: Iterable[Finding], settings: Settings) -> list[Finding]:
    """Return the findings whose category, confidence, phrase and rule the settings allow."""
    ignored, rules = settings.ignored_phrases, set(settings.ignored_rules)
    return [
        f for f in findings
        if settings.shows(f.category, f.confidence) and f.rule not in rules
        and not is_ignored(f, ignored)
    ]  # fmt: skip


def visible_findings(
    local: Iterable[Finding],
    remote: Iterable[Finding],
    settings: Settings,
    dismissed: Callable[[Finding], bool] = lambda _f: False,
) -> list[Finding]:
    """Return what a writer sees: each group filtered, then merged, then undismissed."""
    merged = merge_findings(keep_allowed(local, settings), keep_allowed(remote, settings))
    return [f for f in merged if not dismissed(f)]
