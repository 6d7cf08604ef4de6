"""The closing part of every `--help`: exit statuses, output formats, language ids, state folder.

Each command passes its own exit statuses and formats; the language ids come from the
one table in `languages.py` and the state folder from `paths.py`, so help never drifts
from what the code does.
"""

from __future__ import annotations

import textwrap

from nudge.languages import LANGUAGES
from nudge.paths import default_cache_dir


def language_list() -> str:
    """Return the valid language ids with their aliases, for messages and help."""
    return ", ".join(
        f"{lang.id} ({', '.join(lang.aliases)})" if lang.aliases else lang.id for lang in LANGUAGES
    )


def epilog(exit_statuses: list[tuple[str, str]], formats: str) -> str:
    """Return help text listing exit statuses, formats, language ids and the state folder."""
    statuses = [*exit_statuses, ("2", "a usage error (unknown option or value)"),
                ("130", "interrupted (Ctrl-C)")]  # fmt: skip
    lines = ["exit status:"]
    lines += [_wrap(f"{code:>3}  {meaning}", 7) for code, meaning in statuses]
    lines += [
        "",
        "output formats:",
        _wrap(formats),
        "",
        "language ids (the `languages` setting and span-JSONL take the ids; `nudge check",
        "--language` and editors also take the aliases in brackets):",
        _wrap(language_list()),
        "",
        "state folder (dismissals, results cache, telemetry, stored lexicon):",
        "  $NUDGE_CACHE_DIR, else $XDG_CACHE_HOME/nudge, else ~/.cache/nudge",
        f"  (here: {default_cache_dir()})",
    ]
    return "\n".join(lines)


def _wrap(text: str, indent: int = 2) -> str:
    return textwrap.fill(text, 88, initial_indent="  " if indent == 2 else "",
                         subsequent_indent=" " * indent)  # fmt: skip
