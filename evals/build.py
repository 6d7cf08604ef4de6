"""Build the span-JSONL eval datasets from the hand-written sources in `evals/src/`.

Passages are written in a readable markup so nobody counts offsets by hand:

    @default plaintext                 file-wide default language
    @# a comment line
    @passage [language] [tag,tag]      starts a new passage; the genre is the file name
    We need to [[think outside the box|be inventive|cliche]] here.
    The {{cat was let out of the bag|literal}} and ran off.

`[[quote|replacement|label]]` marks a labelled span. The label is `cliche`,
`wordiness`, `redundancy`, or `clarity/<subtype>`. A replacement of `~` means "no
safe rewrite" (null in the JSON); an empty replacement means "delete the quote".
`{{quote|reason}}` marks a hard negative: text that must not be flagged.

`src/dev/<genre>.txt` builds `dev.jsonl` and `src/test/<genre>.txt` builds `test.jsonl`
(see evals/README.md for why the split is by folder). Every span is validated (non-empty,
no surrounding whitespace, no overlaps, known labels, no stray markup).
`python evals/build.py` rewrites `evals/dev.jsonl` and `evals/test.jsonl`; `--check` only
verifies they are current; `--lint FILE...` validates source files and counts their labels
without writing anything.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from itertools import pairwise
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "src"
SPLITS = ("dev", "test")
LABELS = ("cliche", "wordiness", "clarity", "redundancy")
SUBTYPES = ("vague", "convoluted", "ambiguous_reference", "nominalisation")
REASONS = ("literal", "dialogue", "quotation", "repetition", "name", "code", "url", "injection")
LANGUAGES = ("markdown", "plaintext", "latex", "restructuredtext")
MARKUP = re.compile(r"\[\[([^\[\]]*?)\]\]|\{\{([^{}]*?)\}\}")
STRAY = ("[[", "]]", "{{", "}}")


class SourceError(ValueError):
    """A problem in a source file, reported with file and line."""


def parse_markup(raw: str, where: str) -> tuple[str, list[dict], list[dict]]:
    """Return plain text, labelled spans and negative spans from marked-up text."""
    out: list[str] = []
    spans: list[dict] = []
    negatives: list[dict] = []
    pos = 0
    length = 0
    for match in MARKUP.finditer(raw):
        plain = raw[pos : match.start()]
        out.append(plain)
        length += len(plain)
        if match.group(1) is not None:
            parts = match.group(1).split("|")
            if len(parts) != 3:
                raise SourceError(f"{where}: span needs quote|replacement|label: {match.group(0)}")
            quote, replacement, label = parts
            span = _labelled_span(length, quote, replacement, label, where)
            spans.append(span)
        else:
            parts = match.group(2).split("|")
            if len(parts) != 2 or parts[1] not in REASONS:
                raise SourceError(f"{where}: negative needs quote|reason: {match.group(0)}")
            quote = parts[0]
            negatives.append({"start": length, "end": length + len(quote), "reason": parts[1]})
        out.append(quote)
        length += len(quote)
        pos = match.end()
    out.append(raw[pos:])
    return "".join(out), spans, negatives


def _labelled_span(start: int, quote: str, replacement: str, label: str, where: str) -> dict:
    label, _, subtype = label.partition("/")
    if label not in LABELS:
        raise SourceError(f"{where}: unknown label {label!r}")
    if (label == "clarity") != bool(subtype) or (subtype and subtype not in SUBTYPES):
        raise SourceError(f"{where}: clarity needs one subtype of {SUBTYPES}, got {subtype!r}")
    span: dict = {
        "start": start,
        "end": start + len(quote),
        "label": label,
        "replacement": None if replacement == "~" else replacement,
    }
    if replacement == quote:
        raise SourceError(f"{where}: replacement equals the quote {quote!r}")
    if subtype:
        span["subtype"] = subtype
    return span


def validate(passage: dict, where: str) -> None:
    """Raise SourceError if any span of the passage is empty, padded or overlapping."""
    text = passage["text"]
    for marker in STRAY:
        if marker in text:
            raise SourceError(f"{where}: stray {marker!r} left in text")
    ranges = []
    for span in passage["spans"] + passage["negative_spans"]:
        quote = text[span["start"] : span["end"]]
        if not quote or quote != quote.strip():
            raise SourceError(f"{where}: empty or padded span {quote!r}")
        ranges.append((span["start"], span["end"], quote))
    ranges.sort()
    for (_, end, a), (start, _, b) in pairwise(ranges):
        if start < end:
            raise SourceError(f"{where}: spans overlap: {a!r} / {b!r}")


def read_source(path: Path, id_prefix: str = "") -> list[dict]:
    """Parse one source file into passages (genre = file stem)."""
    genre = path.stem
    default = "plaintext"
    passages: list[dict] = []
    current: dict | None = None
    lines: list[str] = []

    def finish() -> None:
        if current is None:
            return
        raw = "\n".join(lines).strip("\n")
        where = f"{path.name}:{current['line']}"
        text, spans, negatives = parse_markup(raw, where)
        passage = {
            "id": f"{genre}-{id_prefix}{len(passages) + 1:03d}",
            "genre": genre,
            "language": current["language"],
            "tags": current["tags"],
            "text": text,
            "spans": spans,
            "negative_spans": negatives,
        }
        validate(passage, where)
        passages.append(passage)

    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("@#"):
            continue
        if line.startswith("@default "):
            default = line.split()[1]
            continue
        if line.startswith("@passage"):
            finish()
            words = line.split()[1:]
            language = words.pop(0) if words and words[0] in LANGUAGES else default
            tags = words[0].split(",") if words else []
            current, lines = {"line": number, "language": language, "tags": tags}, []
            continue
        if current is None:
            if line.strip():
                raise SourceError(f"{path.name}:{number}: text before the first @passage")
            continue
        lines.append(line)
    finish()
    return passages


def build() -> dict[str, list[dict]]:
    """Return the dev and test splits built from every source file."""
    splits: dict[str, list[dict]] = {}
    for split in SPLITS:
        prefix = "" if split == "dev" else split[0]
        splits[split] = [
            passage
            for path in sorted((SOURCES / split).glob("*.txt"))
            for passage in read_source(path, prefix)
        ]
    return splits


def lint(paths: list[Path]) -> int:
    """Validate source files and print what each holds; 2 if any is invalid."""
    status = 0
    for path in paths:
        try:
            passages = read_source(path)
        except (SourceError, OSError, UnicodeDecodeError) as error:
            print(f"error: {path}: {error}", file=sys.stderr)
            status = 2
            continue
        labels: dict[str, int] = {}
        for passage in passages:
            for span in passage["spans"]:
                key = span["label"] + (f"/{span['subtype']}" if "subtype" in span else "")
                labels[key] = labels.get(key, 0) + 1
        negatives = sum(len(p["negative_spans"]) for p in passages)
        counts = ", ".join(f"{key} {labels[key]}" for key in sorted(labels))
        print(f"{path}: {len(passages)} passages; {counts}; negatives {negatives}")
    return status


def render(passages: list[dict]) -> str:
    """Return the JSONL text for a list of passages."""
    return "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in passages)


def main(argv: list[str] | None = None) -> int:
    """Build (or with --check, verify) evals/dev.jsonl and evals/test.jsonl."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the JSONL is stale")
    parser.add_argument("--lint", nargs="+", type=Path, metavar="FILE", help="only validate")
    args = parser.parse_args(argv)
    if args.lint:
        return lint(args.lint)
    try:
        splits = build()
    except SourceError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    stale = []
    for name, passages in splits.items():
        target = HERE / f"{name}.jsonl"
        text = render(passages)
        if args.check:
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                stale.append(target.name)
        else:
            target.write_text(text, encoding="utf-8")
        spans = sum(len(p["spans"]) for p in passages)
        negatives = sum(len(p["negative_spans"]) for p in passages)
        print(f"{name}: {len(passages)} passages, {spans} spans, {negatives} negatives")
    if stale:
        print(f"stale: {', '.join(stale)}; run python evals/build.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
