"""Findings to Diagnostics and CodeActions, and protocol ranges to edits.

Every offset-to-position conversion goes through `nudge.positions`, in the
encoding negotiated at initialize (UTF-16 unless the client offers better).
"""

from __future__ import annotations

from lsprotocol import types

from nudge.fixes import quick_fix, short
from nudge.model import Finding
from nudge.positions import PositionMapper
from nudge.rules import doc_uri
from nudge.session import Edit

SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "information": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}
SOURCE = "nudge"
DISMISS = "nudge.dismiss"
IGNORE_PHRASE = "nudge.ignorePhrase"
IGNORE_RULE = "nudge.ignoreRule"


def to_range(mapper: PositionMapper, start: int, end: int) -> types.Range:
    """Return the protocol range of code-point offsets [start, end)."""
    return types.Range(
        types.Position(*mapper.position(start)), types.Position(*mapper.position(end))
    )


def to_edits(changes: list[types.TextDocumentContentChangeEvent]) -> list[Edit]:
    """Turn didChange content changes into the session's edit tuples."""
    out: list[Edit] = []
    for change in changes:
        rng = getattr(change, "range", None)
        if rng is None:
            out.append((None, change.text))
        else:
            out.append(
                (
                    (rng.start.line, rng.start.character, rng.end.line, rng.end.character),
                    change.text,
                )
            )
    return out


def diagnostic_message(finding: Finding) -> str:
    """Return the text a writer sees: the message, and for Claude's the grader's word.

    Local findings carry no percentage: nearly all of them are rated 0.98 to 1.00 by
    a table, so a number would claim a precision the offline scale does not have. A
    Claude finding's confidence is the grading call's score, with its one-line note.
    """
    if finding.critic == "local":
        return finding.message
    note = finding.extra.get("note")
    why = f": {' '.join(note.split())}" if isinstance(note, str) and note.strip() else ""
    return f"{finding.message} ({finding.confidence:.0%} confident{why})"


def to_diagnostic(mapper: PositionMapper, finding: Finding, severity: str) -> types.Diagnostic:
    """Return the diagnostic for a finding, carrying what code actions need in `data`.

    `code` is the stable rule id, linked (`codeDescription`) to its explanation.
    """
    return types.Diagnostic(
        range=to_range(mapper, finding.start, finding.end),
        message=diagnostic_message(finding),
        severity=SEVERITY.get(severity, types.DiagnosticSeverity.Information),
        code=finding.rule or finding.category,
        code_description=types.CodeDescription(href=doc_uri(finding.rule)),
        source=SOURCE,
        data={
            "start": finding.start,
            "end": finding.end,
            "rule": finding.rule,
            "quote": finding.quote,
            "critic": finding.critic,
            "category": finding.category,
        },
    )


def code_actions(
    uri: str,
    version: int,
    mapper: PositionMapper,
    finding: Finding,
    diagnostic: types.Diagnostic,
    ignore_rule: bool = False,
) -> list[types.CodeAction]:
    """Return the quick fixes for one finding: fix, dismiss, ignore phrase (and rule).

    `ignore_rule` offers "Ignore this rule in this workspace"; pass it once the server
    runs the `nudge.ignoreRule` command, or the client would offer a dead entry.
    """
    args = [uri, finding.start, finding.end, finding.rule]
    phrase = short(finding.quote)
    actions: list[types.CodeAction] = []
    fix = quick_fix(mapper.text, finding)
    if fix is not None:
        edit = types.TextEdit(to_range(mapper, fix.start, fix.end), fix.text)
        actions.append(
            types.CodeAction(
                title=f"{fix.title} (Nudge)",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                is_preferred=True,
                edit=types.WorkspaceEdit(
                    document_changes=[
                        types.TextDocumentEdit(
                            text_document=types.OptionalVersionedTextDocumentIdentifier(
                                uri=uri, version=version
                            ),
                            edits=[edit],
                        )
                    ]
                ),
            )
        )
    actions.append(
        _command_action(
            f"Dismiss '{phrase}' here (Nudge)", diagnostic, DISMISS, "Dismiss this suggestion", args
        )
    )
    whole = " ".join(finding.quote.split())
    actions.append(
        _command_action(
            f"Ignore '{phrase}' everywhere in this workspace (Nudge)",
            diagnostic,
            IGNORE_PHRASE,
            "Ignore phrase in workspace",
            [uri, whole],
        )
    )
    if ignore_rule and finding.rule:
        actions.append(
            _command_action(
                f"Ignore this rule ({finding.rule}) in this workspace (Nudge)",
                diagnostic,
                IGNORE_RULE,
                "Ignore rule in workspace",
                [uri, finding.rule],
            )
        )
    return actions


def _command_action(
    title: str, diagnostic: types.Diagnostic, command: str, label: str, arguments: list
) -> types.CodeAction:
    return types.CodeAction(
        title=title,
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic],
        command=types.Command(title=label, command=command, arguments=arguments),
    )
