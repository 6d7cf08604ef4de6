"""Findings to Diagnostics and CodeActions (`nudge.lsp.convert`), with non-ASCII text."""

from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

import pytest
from lsprotocol import types

from nudge.lsp.convert import code_actions, diagnostic_message, to_diagnostic, to_edits, to_range
from nudge.model import Finding
from nudge.positions import UTF8, UTF16, UTF32, PositionMapper

URI = "file:///ws/doc.md"
TEXT = "😀 At the end of the day we left.\r\n中文 Basically, it was\nkinda late 𝒜.\n"


@pytest.fixture(autouse=True)
def _state(tmp_path, monkeypatch):
    monkeypatch.setenv("NUDGE_CACHE_DIR", str(tmp_path / "cache"))


def _finding(
    quote: str, replacement: str | None, category: str = "cliche", nth: int = 0
) -> Finding:
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(quote, start + 1)
    rule = f"{category}:{quote.lower().replace(' ', '-')}"
    return Finding(
        start, start + len(quote), quote, category, "A message.", replacement, 0.87, rule
    )


CLICHE = _finding("At the end of the day", "Ultimately")
DELETION = _finding("Basically", "", "wordiness")
NO_FIX = _finding("it was\nkinda", None, "clarity")
AFTER_ASTRAL = _finding("late 𝒜", "late", "redundancy")


@pytest.mark.parametrize(
    ("finding", "encoding", "start", "end"),
    [
        (CLICHE, UTF16, (0, 3), (0, 24)),  # 😀 is two UTF-16 code units
        (CLICHE, UTF8, (0, 5), (0, 26)),  # and four UTF-8 bytes
        (CLICHE, UTF32, (0, 2), (0, 23)),
        (DELETION, UTF16, (1, 3), (1, 12)),  # after a CRLF line break
        (DELETION, UTF8, (1, 7), (1, 16)),
        (NO_FIX, UTF16, (1, 14), (2, 5)),  # across a line break
        (AFTER_ASTRAL, UTF16, (2, 6), (2, 13)),  # ends after 𝒜, a surrogate pair
        (AFTER_ASTRAL, UTF32, (2, 6), (2, 12)),
    ],
)
def test_range_is_in_the_negotiated_encoding(finding, encoding, start, end):
    mapper = PositionMapper(TEXT, encoding)
    rng = to_range(mapper, finding.start, finding.end)
    assert ((rng.start.line, rng.start.character), (rng.end.line, rng.end.character)) == (
        start,
        end,
    )
    assert mapper.offset(rng.start.line, rng.start.character) == finding.start
    assert mapper.offset(rng.end.line, rng.end.character) == finding.end


@pytest.mark.parametrize(
    ("severity", "expected"),
    [
        ("error", types.DiagnosticSeverity.Error),
        ("warning", types.DiagnosticSeverity.Warning),
        ("information", types.DiagnosticSeverity.Information),
        ("hint", types.DiagnosticSeverity.Hint),
        ("bogus", types.DiagnosticSeverity.Information),
    ],
)
def test_diagnostic_severity(severity, expected):
    assert to_diagnostic(PositionMapper(TEXT), CLICHE, severity).severity == expected


@pytest.mark.parametrize("finding", [CLICHE, DELETION, NO_FIX, AFTER_ASTRAL])
def test_diagnostic_carries_what_code_actions_need(finding):
    mapper = PositionMapper(TEXT)
    diagnostic = to_diagnostic(mapper, finding, "information")
    assert diagnostic.range == to_range(mapper, finding.start, finding.end)
    assert diagnostic.code == finding.rule
    assert diagnostic.source == "nudge"
    assert diagnostic.message == "A message." == diagnostic_message(finding)  # no percentage
    assert diagnostic.data == {
        "start": finding.start,
        "end": finding.end,
        "rule": finding.rule,
        "quote": finding.quote,
        "critic": "local",
        "category": finding.category,
    }


def test_each_diagnostic_links_its_rule_to_the_installed_explanation():
    finding = Finding(0, 3, "abc", "wordiness", "m", "", 0.99, "wordy:in-order-to")
    href = to_diagnostic(PositionMapper(TEXT), finding, "information").code_description.href
    path, anchor = href.split("#")
    assert path.startswith("file:") and anchor == "wordy"
    installed = Path(url2pathname(urlparse(path).path))
    text = installed.read_text(encoding="utf-8")
    assert f'<a id="{anchor}"></a>' in text
    assert text == (Path(__file__).parents[2] / "docs" / "rules.md").read_text(encoding="utf-8")


def test_a_claude_message_carries_its_confidence_and_the_graders_note():
    finding = Finding(0, 3, "abc", "clarity", "Vague.", None, 0.72, "claude:clarity", "claude",
                      {"note": "The referent is\nunclear here."})  # fmt: skip
    message = to_diagnostic(PositionMapper(TEXT), finding, "information").message
    assert message == "Vague. (72% confident: The referent is unclear here.)"
    bare = Finding(0, 3, "abc", "clarity", "Vague.", None, 0.72, "claude:clarity", "claude")
    assert diagnostic_message(bare) == "Vague. (72% confident)"


def _actions(finding: Finding, text: str = TEXT, encoding: str = UTF16) -> list[types.CodeAction]:
    mapper = PositionMapper(text, encoding)
    diagnostic = to_diagnostic(mapper, finding, "information")
    actions = code_actions(URI, 7, mapper, finding, diagnostic)
    assert all(a.diagnostics == [diagnostic] for a in actions)
    assert all(a.kind == types.CodeActionKind.QuickFix for a in actions)
    return actions


def _apply(text: str, encoding: str, action: types.CodeAction) -> str:
    (change,) = action.edit.document_changes
    assert (change.text_document.uri, change.text_document.version) == (URI, 7)
    (edit,) = change.edits
    mapper = PositionMapper(text, encoding)
    start = mapper.offset(edit.range.start.line, edit.range.start.character)
    end = mapper.offset(edit.range.end.line, edit.range.end.character)
    return text[:start] + edit.new_text + text[end:]


@pytest.mark.parametrize(
    ("finding", "title", "expected"),
    [
        (CLICHE, "Replace 'At the end of the day' with 'Ultimately' (Nudge)", "😀 Ultimately we"),
        (AFTER_ASTRAL, "Replace 'late 𝒜' with 'late' (Nudge)", "kinda late."),
    ],
)
@pytest.mark.parametrize("encoding", [UTF16, UTF8, UTF32])
def test_replace_action_edits_exactly_the_quote(finding, title, expected, encoding):
    replace, dismiss, ignore = _actions(finding, encoding=encoding)
    assert (replace.title, replace.is_preferred) == (title, True)
    assert replace.command is None
    result = _apply(TEXT, encoding, replace)
    assert expected in result
    assert result == TEXT[: finding.start] + finding.replacement + TEXT[finding.end :]  # mid-line
    assert dismiss.edit is None and ignore.edit is None


@pytest.mark.parametrize("encoding", [UTF16, UTF8, UTF32])
def test_a_deletion_takes_its_space_and_says_what_it_deletes(encoding):
    replace = _actions(DELETION, encoding=encoding)[0]
    assert replace.title == "Delete 'Basically' (Nudge)"
    assert "中文, it was" in _apply(TEXT, encoding, replace)


@pytest.mark.parametrize("encoding", [UTF16, UTF8])
def test_a_deletion_at_a_sentence_start_capitalises_the_next_word(encoding):
    text = "🙂 We meet on Mondays. It is important to note that the new plan works.\n"
    quote = "It is important to note that"
    start = text.index(quote)
    finding = Finding(start, start + len(quote), quote, "wordiness", "m", "", 0.98, "wordy:x")
    replace = _actions(finding, text, encoding)[0]
    assert replace.title == f"Delete '{quote}' (Nudge)"
    assert _apply(text, encoding, replace) == "🙂 We meet on Mondays. The new plan works.\n"


def test_dismiss_names_the_phrase_and_ignore_rule_is_offered_when_asked():
    mapper = PositionMapper(TEXT)
    diagnostic = to_diagnostic(mapper, CLICHE, "information")
    actions = code_actions(URI, 7, mapper, CLICHE, diagnostic, ignore_rule=True)
    titles = [a.title for a in actions]
    assert titles[1] == "Dismiss 'At the end of the day' here (Nudge)"
    assert titles[3] == f"Ignore this rule ({CLICHE.rule}) in this workspace (Nudge)"
    assert actions[3].command.command == "nudge.ignoreRule"
    assert actions[3].command.arguments == [URI, CLICHE.rule]
    assert len(code_actions(URI, 7, mapper, CLICHE, diagnostic)) == 3


def test_no_replacement_offers_only_dismiss_and_ignore():
    titles = [a.title for a in _actions(NO_FIX)]
    assert titles == [
        "Dismiss 'it was kinda' here (Nudge)",
        "Ignore 'it was kinda' everywhere in this workspace (Nudge)",
    ]


def test_no_replace_action_when_the_text_no_longer_holds_the_quote():
    moved = TEXT.replace("At the end", "At the start")
    titles = [a.title for a in _actions(CLICHE, moved)]
    assert titles[0] == "Dismiss 'At the end of the day' here (Nudge)"
    assert len(titles) == 2


@pytest.mark.parametrize("finding", [CLICHE, DELETION, NO_FIX, AFTER_ASTRAL])
def test_dismiss_and_ignore_commands(finding):
    dismiss, ignore = _actions(finding)[-2:]
    assert dismiss.command.command == "nudge.dismiss"
    assert dismiss.command.arguments == [URI, finding.start, finding.end, finding.rule]
    phrase = " ".join(finding.quote.split())
    assert ignore.command.command == "nudge.ignorePhrase"
    assert ignore.command.arguments == [URI, phrase]
    assert ignore.title == f"Ignore '{phrase}' everywhere in this workspace (Nudge)"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (types.TextDocumentContentChangeWholeDocument(text="all 😀"), (None, "all 😀")),
        (
            types.TextDocumentContentChangePartial(
                range=types.Range(types.Position(1, 3), types.Position(2, 0)), text="中"
            ),
            ((1, 3, 2, 0), "中"),
        ),
        (
            types.TextDocumentContentChangePartial(
                range=types.Range(types.Position(0, 2), types.Position(0, 2)), text=""
            ),
            ((0, 2, 0, 2), ""),
        ),
    ],
)
def test_to_edits(change, expected):
    assert to_edits([change]) == [expected]
