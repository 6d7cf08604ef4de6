"""The one small interface every critic implements: blocks in, findings out.

A critic is handed a batch of blocks (possibly from several documents) and returns,
for each block in the same order, the findings it has about that block, with offsets
relative to the block. `LocalCritic` answers at once and also offers the synchronous
`check_block` (the keystroke path calls it directly); `ClaudeCritic` batches the
blocks into one request. Every critic names what shapes its results (`identity`, part
of every results-cache key) and reports what it spent (`usage`, `records`). A critic
that cannot answer raises `CriticUnavailable`, whose reason is safe to show.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from nudge.model import Block, Finding

# Said where Claude is off for want of a key; here, not in `claude`, so that saying it
# does not import the Anthropic client (a second of a language server's start).
NO_KEY_MESSAGE = (
    "Claude suggestions are off: set ANTHROPIC_API_KEY in the environment the editor "
    "starts Nudge with. Offline suggestions keep working."
)
VSCODE_NO_KEY_MESSAGE = (
    'Claude suggestions are off: run "Nudge: Set Anthropic API Key" from the Command '
    "Palette to turn them on. Offline suggestions keep working."
)


class CriticUnavailable(Exception):
    """A critic cannot answer now; `reason` is safe to show, `retry_after` in seconds."""

    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.reason, self.retry_after = reason, retry_after


@dataclass(frozen=True, slots=True)
class DocumentContext:
    """What a critic may know about the document a block came from."""

    uri: str = ""
    language: str = "markdown"
    title: str = ""
    headings: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class CritiqueRequest:
    """One block to critique and the document it belongs to."""

    block: Block
    context: DocumentContext = field(default_factory=DocumentContext)


@runtime_checkable
class Critic(Protocol):
    """Anything that turns blocks into findings."""

    name: str
    description: str

    def identity(self) -> dict[str, Any]:
        """Return what, besides a block's text, determines this critic's findings."""
        ...

    async def critique(self, batch: Sequence[CritiqueRequest]) -> list[list[Finding]]:
        """Return, for each request in order, findings relative to its block."""
        ...


@runtime_checkable
class SyncCritic(Critic, Protocol):
    """A critic that can also answer one block at once, without awaiting anything."""

    def check_block(self, block: Block) -> list[Finding]:
        """Return findings for one block, relative to it."""
        ...
