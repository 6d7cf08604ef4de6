"""Every language Nudge reads, in one table: id, aliases, file extensions, segmenter.

Settings (which ids may be enabled), segmentation (which segmenter a name picks),
the session (aliases an editor may send), `nudge check` (which files a folder
yields) and `nudge eval` (which ids a passage may carry) all read `LANGUAGES`. A
test checks that the VS Code client activates on and selects exactly these ids.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    """One language: its editor id, other names, file extensions and segmenter name."""

    id: str
    aliases: tuple[str, ...]
    extensions: tuple[str, ...]
    segmenter: str

    @property
    def names(self) -> tuple[str, ...]:
        """Return the id and every alias."""
        return (self.id, *self.aliases)


LANGUAGES = (
    Language("markdown", ("md",), (".md", ".markdown", ".mdx"), "markdown"),
    Language("plaintext", ("text",), (".txt", ".text"), "plaintext"),
    Language("latex", ("tex",), (".tex", ".ltx"), "latex"),
    Language("restructuredtext", ("rst",), (".rst", ".rest"), "rst"),
)
LANGUAGE_IDS = tuple(language.id for language in LANGUAGES)

_BY_NAME = {name: language for language in LANGUAGES for name in language.names}
_BY_EXTENSION = {ext: language for language in LANGUAGES for ext in language.extensions}


def canonical_language(name: str) -> str:
    """Return the id for a language id or alias; an unknown name comes back unchanged."""
    language = _BY_NAME.get(name)
    return language.id if language else name


def language_for_path(path: str) -> str | None:
    """Return the language id Nudge uses for a file name, or None if it is not prose."""
    dot = path.rfind(".")
    language = _BY_EXTENSION.get(path[dot:].lower()) if dot >= 0 else None
    return language.id if language else None
