"""Every critic Nudge has, in one explicit list, and the one function that builds them.

The editor, `nudge check`, `nudge review`, `nudge eval` and `nudge doctor` all call
`make_critic`, so a new critic is one entry here and one module. "merged" is not a
critic: it is what `engine.visible_findings` makes of the local and the Claude
critics' findings, the same way everywhere.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nudge.critics.base import Critic, CriticUnavailable

CRITICS: dict[str, str] = {
    "local": "Offline lexicon of clichés, wordy phrases and clarity patterns (no key needed).",
    "claude": "Claude critique, graded by a cheaper second model (needs ANTHROPIC_API_KEY).",
}
MODES = (*CRITICS, "merged")  # what the command line may ask for


def make_critic(
    name: str,
    settings: Any,
    env: Mapping[str, str] | None = None,
    *,
    state_dir: Path | None = None,
    **options: Any,
) -> Critic:
    """Return the critic called `name`; raise CriticUnavailable saying why it cannot be.

    `options` reach the Claude critic's caller (budget, telemetry, sleep, clock...).
    """
    if name == "local":
        from nudge.critics.local import LocalCritic

        return LocalCritic()
    if name != "claude":
        raise CriticUnavailable(f"unknown critic {name!r}; choose one of {', '.join(CRITICS)}")
    env = os.environ if env is None else env
    if not (env.get("ANTHROPIC_API_KEY") or "").strip():  # as from_settings, before its import
        raise CriticUnavailable("the Claude critic needs ANTHROPIC_API_KEY in the environment")
    from nudge.critics.claude import ClaudeCritic

    probe_cache = state_dir / "models.json" if state_dir is not None else None
    critic = ClaudeCritic.from_settings(settings, env, probe_cache=probe_cache, **options)
    if critic is None:
        raise CriticUnavailable("the Claude critic needs ANTHROPIC_API_KEY in the environment")
    return critic
