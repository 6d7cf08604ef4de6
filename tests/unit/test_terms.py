"""TermsCritic: the team's preferred terms, enforced offline with the term as the fix."""

from __future__ import annotations

import pytest

from nudge.critics.registry import make_critic
from nudge.critics.terms import TermsCritic, rule_id
from nudge.segment import split_blocks
from nudge.session import Session
from nudge.settings import Settings, load_settings

TERMS = {"sign in": ["log in", "login"], "email": ["e-mail"], "set up": ["setup"]}


def found(text: str, language: str = "markdown") -> list[tuple[str, str | None]]:
    critic = TermsCritic(TERMS)
    out = []
    for block in split_blocks(text, language):
        out += [(f.quote, f.replacement) for f in critic.check_block(block)]
    return out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Log in to the portal.", [("Log in", "Sign in")]),
        ("She logged in twice.", [("logged in", "signed in")]),
        ("Logging   in takes a second.", [("Logging   in", "Signing in")]),
        ("Two setups failed.", [("setups", "set ups")]),  # a plural noun, not a verb
        ("Send an E-MAIL.", [("E-MAIL", "EMAIL")]),
        ("The LOGIN page.", [("LOGIN", "SIGN IN")]),
        ("Blogin and logins2 and e-mails.", [("e-mails", "emails")]),  # word boundaries
        ("Run `login --user` first.", []),  # inside inline code
        ("```\nlog in\n```\n", []),  # inside a code fence
        ("See https://example.com/login today.", []),  # inside a URL
        ("Nothing to see.", []),
    ],
)
def test_terms_are_found_in_every_form_outside_code(text, expected):
    assert found(text) == expected


def test_rule_id_is_stable_and_names_the_preferred_term():
    critic = TermsCritic(TERMS)
    block = split_blocks("Please log in.", "markdown")[0]
    (finding,) = critic.check_block(block)
    assert finding.rule == rule_id("sign in") == "term:sign-in"
    assert finding.critic == "terms" and "sign in" in finding.message


def test_team_file_terms_reach_the_local_group(tmp_path):
    (tmp_path / ".nudge.toml").write_text('[terms]\n"sign in" = ["log in"]\n')
    settings, problems = load_settings(tmp_path)
    assert problems == [] and settings.terms == {"sign in": ["log in"]}
    local = make_critic("local", settings)
    block = split_blocks("Log in first.", "markdown")[0]
    assert [(f.quote, f.critic) for f in local.check_block(block)] == [("Log in", "terms")]


def test_session_applies_terms_and_their_changes(tmp_path):
    session = Session(tmp_path, tmp_path / "cache")
    session.open("file:///x.md", "Log in first.\n", "markdown", 1)
    assert session.findings("file:///x.md") == []
    (tmp_path / ".nudge.toml").write_text('[terms]\n"sign in" = ["log in"]\n')
    session.reload_settings()
    assert [f.replacement for f in session.findings("file:///x.md")] == ["Sign in"]


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ({"sign in": "log in"}, None),  # one word is a list of one
        (["log in"], "expected a table"),
        ({"sign in": [1]}, "list of words"),
        ({"sign in": ["Sign In"]}, "lists itself"),
    ],
)
def test_terms_are_validated(tmp_path, value, problem):
    from nudge.settings import apply_settings

    settings, problems = apply_settings(Settings(), {"terms": value}, "editor settings")
    if problem is None:
        assert problems == [] and settings.terms == {"sign in": ["log in"]}
    else:
        assert problem in problems[0].message and settings.terms == {}
