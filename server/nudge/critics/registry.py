"""Every critic Nudge has, in one explicit list, and the one function that builds them.

The editor, `nudge check`, `nudge review`, `nudge eval` and `nudge doctor` all call
`make_critic`, so a new critic is one entry here and one module. "merged" is not a
critic: it is what `engine.visible_findings` makes of the local and the Claude
critics' findings, the same way everywhere.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from nudge.critics.base import Critic, CriticUnavailable


def _local(settings: Any, env: Mapping[str, str], state_dir: Path | None, **_: Any) -> Critic:
    from nudge.critics.local import LocalCritic
    from nudge.critics.terms import with_terms

    return with_terms(LocalCritic(), getattr(settings, "terms", {}))  # type: ignore[return-value]


def _terms(settings: Any, env: Mapping[str, str], state_dir: Path | None, **_: Any) -> Critic:
    from nudge.critics.terms import TermsCritic

    return TermsCritic(getattr(settings, "terms", {}))


def _claude(
    settings: Any, env: Mapping[str, str], state_dir: Path | None, **options: Any
) -> Critic:
    if not (env.get("ANTHROPIC_API_KEY") or "").strip():  # checked before the heavy import
        raise CriticUnavailable("the Claude critic needs ANTHROPIC_API_KEY in the environment")
    from nudge.critics.claude import ClaudeCritic

    probe_cache = state_dir / "models.json" if state_dir is not None else None
    if callable(options.get("style")):  # the editor hands over its session's current guide
        options["style"] = options["style"]()
    critic = ClaudeCritic.from_settings(settings, env, probe_cache=probe_cache, **options)
    if critic is None:
        raise CriticUnavailable("the Claude critic needs ANTHROPIC_API_KEY in the environment")
    return critic


# name -> (what it is, how to build it). A new critic is one module and one line here.
CRITICS: dict[str, tuple[str, Callable[..., Critic]]] = {
    "local": ("Offline lexicon of clichés, wordy phrases and clarity patterns (no key).", _local),
    "terms": ("The team's [terms] from .nudge.toml; part of local (no key).", _terms),
    "claude": ("Claude critique, graded by a cheaper second model (ANTHROPIC_API_KEY).", _claude),
}
MODES = ("local", "claude", "merged")  # what the command line may ask for (terms: in local)


def make_critic(
    name: str,
    settings: Any,
    env: Mapping[str, str] | None = None,
    *,
    state_dir: Path | None = None,
    **options: Any,
) -> Critic:
    """Return the critic called `name`; raise CriticUnavailable saying why it cannot be.

    `options` reach the critic's factory (the Claude critic passes them to its caller:
    budget, telemetry, sleep, clock...).
    """
    if name not in CRITICS:
        raise CriticUnavailable(f"unknown critic {name!r}; choose one of {', '.join(CRITICS)}")
    return CRITICS[name][1](settings, os.environ if env is None else env, state_dir, **options)
