"""What a rule id means: its kind, a one-line description, and where it is documented.

A rule id is `kind:slug` (`cliche:at-the-end-of-the-day`, `wordy:in-order-to`,
`convoluted:double-negative`, `claude:clarity`). Each kind has one entry in `RULE_KINDS`
and one section in `docs/rules.md`, whose anchor is the kind. The links to it come from
the package's own metadata (`[project.urls]` `Homepage` and `Rules` in `pyproject.toml`):
Nudge has no public address yet, so none is set and no link is made up; SARIF then
carries the rule's help text without a `helpUri`. The editor links each diagnostic
(`codeDescription`) to `doc_uri`: the published page when there is one, otherwise the
copy of `docs/rules.md` installed inside the package (`nudge/data/rules.md`), as a
`file:` URI that VS Code opens. SARIF output reads this table for
`tool.driver.rules`; anything else that shows rules to people can read it too.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

# kind: (title, what it flags and why, in one or two sentences)
RULE_KINDS: dict[str, tuple[str, str]] = {
    "cliche": (
        "Cliché",
        "A stock phrase or figure of speech worn smooth by use, where a plain word says more. "
        "Idioms used literally, names and titles are left alone.",
    ),
    "wordy": (
        "Wordy phrase",
        "A phrase with a shorter equivalent that keeps the meaning, such as 'in order to' "
        "for 'to', or a filler opener that can be cut.",
    ),
    "nominal": (
        "Action hidden in a noun",
        "A weak verb plus an action noun that one verb replaces: 'make a decision' is 'decide'.",
    ),
    "redundant": (
        "Redundancy",
        "A word that repeats what another already says: 'past history', 'end result'.",
    ),
    "vague": (
        "Vague phrase",
        "A phrase that points at nothing concrete ('various aspects', 'some things'); "
        "say exactly what is meant.",
    ),
    "hedge": (
        "Empty hedge",
        "A qualifier that weakens the sentence without adding information ('somewhat', "
        "'seemingly').",
    ),
    "convoluted": (
        "Convoluted sentence",
        "A sentence that needs restructuring: a double negative, or one too long to follow.",
    ),
    "nominalisation": (
        "Nominalisation",
        "The action hidden in a noun phrase that is the subject of the sentence; "
        "restructure so the actor does the verb.",
    ),
    "claude": (
        "Claude suggestion",
        "A suggestion from the Claude critic, kept only when the grading call scored it at or "
        "above the confidence threshold.",
    ),
}
OTHER_KIND = ("Nudge suggestion", "A writing suggestion from Nudge.")


@dataclass(frozen=True)
class RuleInfo:
    """A rule's id, kind and the words shown for it."""

    id: str
    kind: str
    title: str
    short: str
    full: str
    help_uri: str | None


def rule_kind(rule: str) -> str:
    """Return the kind of a rule id: the part before the first colon."""
    return rule.split(":", 1)[0]


@cache
def project_urls() -> dict[str, str]:
    """Return the package's `Project-URL` entries by name (empty when none are set)."""
    from importlib.metadata import PackageNotFoundError, metadata

    try:
        entries = metadata("nudge").get_all("Project-URL") or []
    except PackageNotFoundError:
        return {}
    pairs = (entry.split(",", 1) for entry in entries if "," in entry)
    return {name.strip(): url.strip() for name, url in pairs}


def help_uri(rule: str) -> str | None:
    """Return the link to the documentation of a rule's kind, if the package has one."""
    doc = project_urls().get("Rules")
    if doc is None:
        return None
    kind = rule_kind(rule)
    return f"{doc}#{kind if kind in RULE_KINDS else 'rule-ids'}"


def installed_rules() -> Path:
    """Return the copy of `docs/rules.md` shipped inside the package."""
    return Path(__file__).resolve().parent / "data" / "rules.md"


def doc_uri(rule: str) -> str:
    """Return a link to the explanation of a rule: published, or the installed copy."""
    return _kind_uri(rule_kind(rule))


@cache
def _kind_uri(kind: str) -> str:
    """Return the link for a rule kind, worked out once (every diagnostic carries one)."""
    published = help_uri(kind)
    if published is not None:
        return published
    return f"{installed_rules().as_uri()}#{kind if kind in RULE_KINDS else 'rule-ids'}"


def describe(rule: str) -> RuleInfo:
    """Return what to show for a rule id (unknown kinds get a generic description)."""
    kind = rule_kind(rule)
    title, full = RULE_KINDS.get(kind, OTHER_KIND)
    slug = rule.split(":", 1)[1] if ":" in rule else ""
    if kind == "claude":
        short = f"{title} ({slug or 'any category'})"
    else:
        short = f"{title}: '{slug.replace('-', ' ')}'" if slug else title
    return RuleInfo(rule, kind, title, short, full, help_uri(rule))
