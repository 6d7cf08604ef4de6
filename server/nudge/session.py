"""The state of an editing session, without the protocol: documents, settings, findings.

The language server holds one `Session`. It opens and edits documents, keeps the
local critic's findings per block (keyed by content hash, so unchanged blocks are
never re-read), merges in findings other critics deliver later, and filters them
through settings, the team's ignored phrases and the writer's dismissals.

It also notices what the writer does with suggestions, for local telemetry: which
findings were shown, dismissed, and accepted (an edit that replaces exactly a shown
finding's words with its replacement). Only category, rule and critic are recorded.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from nudge.document import Document, EditResult, PlainText
from nudge.engine import merge_findings, select_findings
from nudge.exclude import is_path_excluded
from nudge.model import Block, Finding
from nudge.positions import UTF16
from nudge.segment import is_prose
from nudge.settings import SettingsProblem, load_settings
from nudge.store import DismissalStore, JsonStore, default_cache_dir
from nudge.telemetry import Telemetry

log = logging.getLogger(__name__)

LANGUAGE_ALIASES = {
    "tex": "latex",
    "rst": "restructuredtext",
    "text": "plaintext",
    "md": "markdown",
}
LOCAL_CACHE_SIZE = 20_000

# An edit as the protocol gives it: a (start line, start char, end line, end char)
# range in the negotiated encoding and the new text, or no range for the full text.
Edit = tuple[tuple[int, int, int, int] | None, str]


def uri_to_path(uri: str) -> Path | None:
    """Return the file path of a file: URI, or None for other schemes."""
    parsed = urlparse(uri)
    return Path(unquote(parsed.path)) if parsed.scheme == "file" else None


@dataclass
class OpenResult:
    """Whether a document is checked, and why not if it is not."""

    checked: bool
    reason: str = ""


class Session:
    """Documents, settings and findings for one workspace."""

    def __init__(
        self,
        root: Path | None = None,
        cache_dir: Path | None = None,
        warn: Callable[[str], None] = log.warning,
        local: object | None = None,
        telemetry: Telemetry | None = None,
    ):
        self.root = root
        self.warn = warn
        self.editor_settings: dict[str, object] = {}
        self.settings, self.problems = load_settings(root)
        self.documents: dict[str, Document] = {}
        self.skipped: dict[str, str] = {}  # why each skipped document is skipped
        self.held: dict[str, PlainText] = {}  # and its current text, to check it again
        if local is None:
            from nudge.critics.local import LocalCritic

            local = LocalCritic()
        self.local = local
        self.dismissals = DismissalStore(
            JsonStore((cache_dir or default_cache_dir()) / "state", warn)
        )
        self._local_cache: OrderedDict[str, list[Finding]] = OrderedDict()
        self.remote: dict[str, dict[str, list[Finding]]] = {}
        self.telemetry = telemetry
        self.cursors: dict[str, int | None] = {}
        self._shown: dict[str, set[tuple[int, int, str]]] = {}

    # Settings -----------------------------------------------------------------
    def reload_settings(self, editor: dict[str, object] | None = None) -> list[SettingsProblem]:
        """Re-read the team file and apply editor settings; return the problems."""
        if editor is not None:
            self.editor_settings = dict(editor)
        self.settings, self.problems = load_settings(self.root, self.editor_settings)
        return self.problems

    def relative_path(self, uri: str) -> str:
        """Return the document's path relative to the workspace root, or its URI."""
        path = uri_to_path(uri)
        if path is not None and self.root is not None:
            try:
                return path.resolve().relative_to(self.root.resolve()).as_posix()
            except ValueError:
                return path.as_posix()
        return uri

    def is_excluded(self, uri: str) -> bool:
        """Tell whether the exclude patterns cover a document (by either of its paths)."""
        path = uri_to_path(uri)
        if path is None:
            return is_path_excluded(Path(uri), None, self.settings.exclude)
        return is_path_excluded(path, self.root, self.settings.exclude)

    def should_check(self, uri: str, language: str, size: int) -> OpenResult:
        """Tell whether a document is checked under the current settings."""
        language = LANGUAGE_ALIASES.get(language, language)
        if language not in self.settings.languages:
            return OpenResult(False, f"language '{language}' is not enabled")
        if self.is_excluded(uri):
            return OpenResult(False, "excluded by settings")
        if size > self.settings.max_document_size:
            return OpenResult(
                False,
                f"{size:,} characters is over nudge.maxDocumentSize "
                f"({self.settings.max_document_size:,}); Nudge skips it",
            )
        return OpenResult(True)

    # Documents ------------------------------------------------------------------
    def open(self, uri: str, text: str, language: str, version: int = 0,
             encoding: str = UTF16) -> OpenResult:  # fmt: skip
        """Open a document; return whether it is checked."""
        result = self.should_check(uri, language, len(text))
        if not result.checked:
            self._hold(PlainText(uri, text, language, version, encoding), result.reason)
            return result
        self.skipped.pop(uri, None)
        self.held.pop(uri, None)
        language = LANGUAGE_ALIASES.get(language, language)
        self.documents[uri] = Document(uri, text, language, version, encoding)
        return result

    def _hold(self, text: PlainText, reason: str) -> None:
        self.documents.pop(text.uri, None)
        self.skipped[text.uri] = reason
        self.held[text.uri] = text

    def recheck_skipped(self) -> list[str]:
        """Open every skipped document the current settings allow; return their URIs."""
        opened = []
        for uri, held in list(self.held.items()):
            if self.open(uri, held.text, held.language, held.version, held.encoding).checked:
                opened.append(uri)
        return opened

    def close(self, uri: str) -> None:
        """Forget a document (its dismissals stay)."""
        self.documents.pop(uri, None)
        self.skipped.pop(uri, None)
        self.held.pop(uri, None)
        self.remote.pop(uri, None)
        self.cursors.pop(uri, None)
        self._shown.pop(uri, None)

    def change(self, uri: str, edits: Iterable[Edit], version: int) -> EditResult | None:
        """Apply protocol edits to an open document; return what changed (None: not checked).

        A skipped document's text is kept current too, and it is checked again as soon
        as it fits under maxDocumentSize; one that grows over it is skipped.
        """
        doc = self.documents.get(uri) or self.held.get(uri)
        if doc is None:
            return None
        total = EditResult()
        for rng, text in edits:
            if rng is None:
                result = doc.replace_all(text, version)
                self.cursors[uri] = None
            else:
                mapper = doc.mapper
                start = mapper.offset(rng[0], rng[1])
                end = mapper.offset(rng[2], rng[3])
                if end > start and uri in self.documents:
                    self._note_accepted(uri, start, end, text)
                result = doc.apply_edit(start, end, text, version)
                self.cursors[uri] = start + len(text)
            total.full = total.full or result.full
            total.changed = result.changed if result.full else total.changed + result.changed
        size = len(doc)
        if uri in self.documents:
            if size > self.settings.max_document_size:
                self._hold(PlainText.sharing(doc), "grew over nudge.maxDocumentSize")
                return None
            return total
        fits = size <= self.settings.max_document_size and "maxDocumentSize" in self.skipped[uri]
        if fits and self.open(uri, doc.text, doc.language, doc.version, doc.encoding).checked:
            return EditResult(self.documents[uri].prose_blocks(), True)
        return None

    # Findings -------------------------------------------------------------------
    def local_findings(self, block: Block) -> list[Finding]:
        """Return the local critic's findings for a block, relative to the block."""
        cached = self._local_cache.get(block.hash)
        if cached is None:
            cached = self.local.check_block(block)
            self._local_cache[block.hash] = cached
            if len(self._local_cache) > LOCAL_CACHE_SIZE:
                self._local_cache.popitem(last=False)
        else:
            self._local_cache.move_to_end(block.hash)
        return cached

    def set_remote_findings(self, uri: str, block_hash: str, findings: list[Finding]) -> None:
        """Record findings another critic delivered for a block (relative offsets)."""
        remote = self.remote.setdefault(uri, {})
        remote[block_hash] = findings
        doc = self.documents.get(uri)
        if doc is not None and len(remote) > 2 * len(doc.blocks()) + 16:
            live = {b.hash for b in doc.blocks()}
            for stale in [h for h in remote if h not in live]:
                del remote[stale]

    def all_findings(self, uri: str) -> list[Finding]:
        """Return every finding for a document before filtering, absolute offsets."""
        doc = self.documents.get(uri)
        if doc is None:
            return []
        remote = self.remote.get(uri, {})
        local: list[Finding] = []
        claude: list[Finding] = []
        for block in doc.blocks():
            if not is_prose(block):
                continue
            local.extend(f.shifted(block.start) for f in self.local_findings(block))
            claude.extend(f.shifted(block.start) for f in remote.get(block.hash, ()))
        return merge_findings(local, claude) if claude else local

    def findings(self, uri: str) -> list[Finding]:
        """Return the findings to show for a document."""
        doc = self.documents.get(uri)
        if doc is None:
            return []
        key = self.relative_path(uri)
        return select_findings(
            self.all_findings(uri),
            self.settings,
            lambda f: self.dismissals.is_dismissed(key, doc.text, f),
        )

    def locate(self, uri: str, start: int, end: int, rule: str) -> Finding | None:
        """Return the current finding at [start, end) with `rule`, if it still stands."""
        for finding in self.all_findings(uri):
            if finding.start == start and finding.end == end and finding.rule == rule:
                return finding
        return None

    def dismiss(self, uri: str, finding: Finding) -> None:
        """Dismiss a finding in a document, for good."""
        doc = self.documents.get(uri)
        if doc is not None:
            self.dismissals.dismiss(self.relative_path(uri), doc.text, finding)
            self._record("dismissed", finding)

    # Telemetry ------------------------------------------------------------------
    def note_shown(self, uri: str, findings: Iterable[Finding]) -> None:
        """Remember what a document shows; record newly shown local findings per category.

        Claude's findings are counted as shown by the scheduler when they arrive.
        """
        current = {(f.start, f.end, f.rule): f for f in findings}
        before = self._shown.get(uri, set())
        self._shown[uri] = set(current)
        if self.telemetry is None:
            return
        fresh = [f for key, f in current.items() if key not in before and f.critic != "claude"]
        for category in sorted({f.category for f in fresh}):
            count = sum(f.category == category for f in fresh)
            self.telemetry.record("shown", category=category, count=count, critic="local")

    def _note_accepted(self, uri: str, start: int, end: int, text: str) -> None:
        shown = self._shown.get(uri)
        if not shown or not any(s == start and e == end for s, e, _ in shown):
            return
        for finding in self.findings(uri):
            if (finding.start, finding.end) == (start, end) and finding.replacement == text:
                self._record("accepted", finding)
                return

    def _record(self, event: str, finding: Finding) -> None:
        if self.telemetry is not None:
            self.telemetry.record(
                event, category=finding.category, rule=finding.rule, critic=finding.critic, count=1
            )
