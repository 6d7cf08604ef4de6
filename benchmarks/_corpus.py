"""Shared helpers for benchmarks: find the corpus, build large documents."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "rust-book"


def corpus_files(corpus: Path = DEFAULT_CORPUS) -> list[Path]:
    """Return the corpus's Markdown chapters, or exit with a clear message."""
    files = sorted(corpus.glob("*.md"))
    if not files:
        raise SystemExit(f"no Markdown files under {corpus}; pass --corpus PATH")
    return files


def big_document(size: int, corpus: Path = DEFAULT_CORPUS) -> str:
    """Return a Markdown document of about `size` characters made of corpus chapters."""
    parts: list[str] = []
    total = 0
    files = corpus_files(corpus)
    i = 0
    while total < size:
        text = files[i % len(files)].read_text(encoding="utf-8")
        parts.append(text)
        total += len(text) + 2
        i += 1
    return "\n\n".join(parts)[:size]
