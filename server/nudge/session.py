"""The state of an editing session, without the protocol: documents, settings, findings.

The language server holds one `Session`. It opens and edits documents, keeps the
local critic's findings per block (keyed by content hash, so unchanged blocks are
never re-read), keeps the raw findings other critics deliver later, and shows what
`engine.visible_findings` makes of both, minus the writer's dismissals. Each block's
visible findings are kept until its findings or the settings change, so a publish
after a one-block edit re-merges one block.

It also notices what the writer does with suggestions, for local telemetry: each
shown finding is counted once, and its fate (accepted, dismissed, ignored, edited away,
closed with it shown) is recorded once, by `outcomes.OutcomeTracker`. Only rule,
category, critic, model, prompt, confidence and time shown are recorded, never text.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from nudge.critics.terms import with_terms
from nudge.document import Document, EditResult, PlainText
from nudge.engine import visible_findings
from nudge.exclude import is_path_excluded
from nudge.languages import canonical_language
from nudge.model import Block, Finding
from nudge.outcomes import Life, OutcomeTracker, split_replacement
from nudge.positions import UTF16
from nudge.segment import is_prose
from nudge.settings import TEAM_FILE, SettingsProblem, load_settings
from nudge.store import DismissalStore, JsonStore, default_cache_dir
from nudge.style import StyleGuide, StyleProblem, load_style_guide
from nudge.telemetry import Telemetry
from nudge.unwanted import Unwanted, UnwantedStore, context_of

log = logging.getLogger(__name__)

LOCAL_CACHE_SIZE = 20_000

# An edit as the protocol gives it: a (start line, start char, end line, end char)
# range in the negotiated encoding and the new text, or no range for the full text.
Edit = tuple[tuple[int, int, int, int] | None, str]


def _combine(total: EditResult, result: EditResult) -> None:
    """Fold one edit's result into the notification's, netting blocks added then removed."""
    if result.full:
        total.full, total.changed = True, result.changed
        total.removed, total.added = [], result.added
        return
    total.changed += result.changed
    for block in result.removed:
        index = next((i for i, b in enumerate(total.added) if b.hash == block.hash), None)
        if index is None:
            total.removed.append(block)
        else:
            del total.added[index]
    total.added += result.added


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
        self._lexicon = local
        self.local = with_terms(local, self.settings.terms)
        self.dismissals = DismissalStore(
            JsonStore((cache_dir or default_cache_dir()) / "state", warn),
            workspace=str(root.resolve()) if root is not None else "",
        )
        self.unwanted = UnwantedStore(self.dismissals.store, str(root or ""))
        self.style: StyleGuide | None = None
        self._load_style()
        self._local_cache: OrderedDict[str, list[Finding]] = OrderedDict()
        self.remote: dict[str, dict[str, list[Finding]]] = {}
        self._visible: dict[str, dict[str, list[Finding]]] = {}
        self.telemetry = telemetry
        self._follow_telemetry_setting()
        self.cursors: dict[str, int | None] = {}
        self.outcomes = OutcomeTracker(self._record_shown, self._record_outcome)
        # What produced Claude's findings (model, prompt identity), set by the Claude side.
        self.claude_identity: dict[str, str] = {}

    # Settings -----------------------------------------------------------------
    def reload_settings(self, editor: dict[str, object] | None = None) -> list[SettingsProblem]:
        """Re-read the team file and apply editor settings; return the problems."""
        if editor is not None:
            self.editor_settings = dict(editor)
        terms = self.settings.terms
        self.settings, self.problems = load_settings(self.root, self.editor_settings)
        if self.settings.terms != terms:
            self.local = with_terms(self._lexicon, self.settings.terms)
            self._local_cache.clear()
        self._visible.clear()
        self._load_style()
        self._follow_telemetry_setting()
        return self.problems

    def _follow_telemetry_setting(self) -> None:
        """Turn the telemetry log's file off or on as the `telemetry` setting says."""
        if self.telemetry is not None:
            self.telemetry.enabled = self.settings.telemetry

    def _load_style(self) -> None:
        """Read the style guide the settings name; a problem joins the settings problems."""
        self.style, warning = load_style_guide(self.root, self.settings.style_guide)
        if warning:
            self.problems.append(StyleProblem(TEAM_FILE, "style_guide", warning))

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
        language = canonical_language(language)
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
            self.outcomes.close(uri, None, "withdrawn")
            self._hold(PlainText(uri, text, language, version, encoding), result.reason)
            return result
        self.skipped.pop(uri, None)
        self.held.pop(uri, None)
        language = canonical_language(language)
        before = self.documents.get(uri)
        if before is None:
            if self.telemetry is not None:
                self.telemetry.record("opened", words=len(text.split()))
        elif before.text != text:
            self.outcomes.edit(uri, *split_replacement(before.text, text))
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
        """Forget a document (its dismissals stay); what it still showed ends `closed`."""
        doc = self.documents.get(uri)
        self.outcomes.close(uri, doc.text if doc is not None else None)
        self.documents.pop(uri, None)
        self.skipped.pop(uri, None)
        self.held.pop(uri, None)
        self.remote.pop(uri, None)
        self._visible.pop(uri, None)
        self.cursors.pop(uri, None)

    def close_all(self) -> None:
        """Close every document (the server is shutting down)."""
        for uri in list(self.documents):
            self.close(uri)

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
                self.outcomes.edit(uri, *split_replacement(doc.text, text))
                result = doc.replace_all(text, version)
                self.cursors[uri] = None
            else:
                mapper = doc.mapper
                start = mapper.offset(rng[0], rng[1])
                end = mapper.offset(rng[2], rng[3])
                if uri in self.documents:
                    self.outcomes.edit(uri, start, end, text)
                result = doc.apply_edit(start, end, text, version)
                self.cursors[uri] = start + len(text)
            _combine(total, result)
        size = len(doc)
        if uri in self.documents:
            if size > self.settings.max_document_size:
                self.outcomes.close(uri, None, "withdrawn")
                self._hold(PlainText.sharing(doc), "grew over nudge.maxDocumentSize")
                return None
            return total
        fits = size <= self.settings.max_document_size and "maxDocumentSize" in self.skipped[uri]
        if fits and self.open(uri, doc.text, doc.language, doc.version, doc.encoding).checked:
            prose = self.documents[uri].prose_blocks()
            return EditResult(prose, True, [], prose)
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
        """Record raw findings another critic delivered for a block (relative offsets)."""
        remote = self.remote.setdefault(uri, {})
        remote[block_hash] = findings
        self._visible.get(uri, {}).pop(block_hash, None)
        doc = self.documents.get(uri)
        if doc is not None and len(remote) > 2 * len(doc.blocks()) + 16:
            live = {b.hash for b in doc.blocks()}
            for stale in [h for h in remote if h not in live]:
                del remote[stale]

    def block_findings(self, uri: str, block: Block) -> list[Finding]:
        """Return a block's visible findings before dismissals, relative to the block."""
        visible = self._visible.setdefault(uri, {})
        found = visible.get(block.hash)
        if found is None:
            remote = self.remote.get(uri, {}).get(block.hash, ())
            found = visible[block.hash] = visible_findings(
                self.local_findings(block), remote, self.settings
            )
        return found

    def findings(self, uri: str) -> list[Finding]:
        """Return the findings to show for a document, absolute offsets."""
        doc = self.documents.get(uri)
        if doc is None:
            return []
        blocks, starts = doc.placed_blocks()
        visible = self._visible.setdefault(uri, {})
        if len(visible) > 2 * len(blocks) + 16:
            visible.clear()
        key = self.relative_path(uri)
        out: list[Finding] = []
        get = visible.get
        for block, start in zip(blocks, starts, strict=True):
            found = get(block.hash)
            if found is None:
                if not is_prose(block):
                    continue
                found = self.block_findings(uri, block)
            if found:
                out.extend(f.shifted(start) for f in found)
        if out and self.dismissals.has_any(key):
            text = doc.text
            out = [f for f in out if not self.dismissals.is_dismissed(key, text, f)]
        return out

    def locate(self, uri: str, start: int, end: int, rule: str) -> Finding | None:
        """Return the shown finding at [start, end) with `rule`, if it still stands."""
        for finding in self.findings(uri):
            if finding.start == start and finding.end == end and finding.rule == rule:
                return finding
        return None

    def dismiss(self, uri: str, finding: Finding) -> None:
        """Dismiss a finding in a document, for good; the grader learns from it."""
        doc = self.documents.get(uri)
        if doc is not None:
            self.dismissals.dismiss(self.relative_path(uri), doc.text, finding)
            context = context_of(doc.text, finding.start, finding.end)
            self.unwanted.add(Unwanted(finding.category, finding.quote, context))
            if not self.outcomes.end(uri, finding, "dismissed"):
                self._record_outcome("dismissed", Life(finding, finding.start, finding.end, 0), 0)

    def note_ignored(self, phrase: str) -> int:
        """End every shown finding of an ignored phrase as `ignored`; return how many."""
        from nudge.engine import is_ignored

        self.unwanted.add(Unwanted("any", phrase))
        return self.outcomes.end_matching(lambda f: is_ignored(f, [phrase]), "ignored")

    def note_ignored_rule(self, rule: str) -> int:
        """End every shown finding of an ignored rule as `ignored`; return how many."""
        return self.outcomes.end_matching(lambda f: f.rule == rule, "ignored")

    # Telemetry ------------------------------------------------------------------
    def note_shown(self, uri: str, findings: Iterable[Finding]) -> None:
        """Count newly shown findings once per life, and settle what edits did to others.

        This is the one place "shown" is counted, after every filter, for every critic.
        """
        doc = self.documents.get(uri)
        self.outcomes.publish(uri, findings, doc.text if doc is not None else "")

    def _record_shown(self, fresh: list[Finding]) -> None:
        if self.telemetry is None:
            return
        for critic, category in sorted({(f.critic, f.category) for f in fresh}):
            count = sum(f.critic == critic and f.category == category for f in fresh)
            self.telemetry.record("shown", category=category, count=count, critic=critic)

    def _record_outcome(self, outcome: str, life: Life, seconds: float) -> None:
        if self.telemetry is None:
            return
        f = life.finding
        made_by = self.claude_identity if f.critic == "claude" else {}
        self.telemetry.record(
            outcome, category=f.category, rule=f.rule, critic=f.critic, count=1,
            confidence=round(f.confidence, 3), shown_ms=round(seconds * 1000), **made_by,
        )  # fmt: skip
