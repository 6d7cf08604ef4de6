"""The parsed lexicon kept on disk, so a new process skips parsing 5,000 entries.

Parsing the TSV files and expanding every verb and noun takes a fifth of a second;
reading the result back takes a few hundredths. The file lives in the cache folder
(`NUDGE_CACHE_DIR`, else the user's), named by a key that hashes the data files,
the names they are quoted by, the package version and the source of the modules
that shape an entry, so any change to them means a new file, built once.

A cache folder is writable by others than the package (a CI cache restored from
another branch), so the file is plain JSON, never pickle: a header with a SHA-256 of
the rest, then entries whose every field is type-checked as it is read. Anything
that does not fit, a truncated file, another format or version, a changed byte, is
not trusted: the lexicon is parsed afresh and the file rewritten. At worst a forged
file can change what is suggested; it cannot run code, and patterns built from its
words escape every character.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import fields
from pathlib import Path

from nudge import __version__
from nudge.critics.phrases import SLOTS, Token
from nudge.paths import default_cache_dir

FORMAT = 1
MAGIC = b"nudge-lexicon"
_SHAPERS = ("lexicon.py", "phrases.py", "morphology.py", "compiled.py")
_KINDS = ("word", "verb", "noun", "slot")
_TAGS = frozenset({"base", "s", "past", "pp", "ing", "sg", "pl"})
_FIELDS = (
    ("rule", "str"),
    ("kind", "str"),
    ("category", "str"),
    ("phrase", "str"),
    ("tokens", "tokens"),
    ("replacement", "str?"),
    ("origin", "str"),
    ("not_after", "set"),
    ("only_after", "set?"),
    ("literal", "set"),
    ("echo", "set"),
)
_KEEP = 4  # lexicon files kept side by side (other versions, other data folders)


class CompiledError(ValueError):
    """The stored lexicon cannot be trusted; build it again."""


def cache_key(sources: Mapping[str, str]) -> str:
    """Return the key for data files given as {name quoted in errors: text}."""
    digest = hashlib.sha256(f"{FORMAT}\0{__version__}\0{sys.version}\0".encode())
    here = Path(__file__).parent
    for name in _SHAPERS:
        digest.update(name.encode() + b"\0" + (here / name).read_bytes() + b"\0")
    for name in sorted(sources):
        digest.update(f"{name}\0{len(sources[name])}\0{sources[name]}\0".encode())
    return digest.hexdigest()


def cache_path(key: str) -> Path:
    """Return where the lexicon with this key is stored."""
    return default_cache_dir() / "lexicon" / f"lexicon-{key[:32]}.json"


def dump(entries: Sequence, key: str, articles: tuple[str, ...]) -> bytes:
    """Encode entries as the stored file's bytes; `articles` is the flexible article token."""
    names = tuple(f.name for f in fields(entries[0])) if entries else ()
    if entries and names != tuple(name for name, _ in _FIELDS):
        raise CompiledError(f"Entry has fields {names}; teach compiled.py the new ones")
    tokens: dict[int, int] = {}
    token_rows: list[list] = []
    rows = []
    for entry in entries:
        row = []
        for name, kind in _FIELDS:
            value = getattr(entry, name)
            if kind == "tokens":
                numbers = []
                for token in value:
                    if id(token) not in tokens:
                        tokens[id(token)] = len(token_rows)
                        token_rows.append(_token_row(token, articles))
                    numbers.append(tokens[id(token)])
                value = numbers
            elif kind.startswith("set"):
                value = None if value is None else sorted(value)
            row.append(value)
        rows.append(row)
    body = {"format": FORMAT, "key": key, "tokens": token_rows, "entries": rows}
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    return MAGIC + b" " + hashlib.sha256(data).hexdigest().encode() + b"\n" + data


def _token_row(token: Token, articles: tuple[str, ...]) -> list:
    tags = sorted((surface, sorted(t)) for surface, t in token.tags.items())
    flexible = token.options is articles
    return [
        token.kind,
        list(token.options),
        token.base,
        token.optional,
        token.comma,
        tags,
        flexible,
    ]


def load(
    data: bytes, key: str, articles: tuple[str, ...], entry_type: type, kinds: Mapping
) -> list:
    """Decode and check the stored file's bytes; raise CompiledError if anything is off."""
    header, newline, body = data.partition(b"\n")
    if not newline or header[: len(MAGIC) + 1] != MAGIC + b" ":
        raise CompiledError("not a stored lexicon")
    if header[len(MAGIC) + 1 :] != hashlib.sha256(body).hexdigest().encode():
        raise CompiledError("checksum does not match (truncated or changed)")
    try:
        parsed = json.loads(body)
    except ValueError as exc:
        raise CompiledError(f"not JSON: {exc}") from None
    _check(isinstance(parsed, dict) and parsed.get("format") == FORMAT, "another format")
    _check(parsed.get("key") == key, "built from other data or another version")
    collecting = gc.isenabled()
    gc.disable()  # tens of thousands of objects, none of them cyclic garbage
    try:
        tokens = [_token(row, articles) for row in _list(parsed.get("tokens"))]
        entries = [_entry(row, tokens, entry_type) for row in _list(parsed.get("entries"))]
    finally:
        if collecting:
            gc.enable()
    _check(all(kinds.get(e.kind) == e.category for e in entries), "an entry's kind")
    return entries


def _check(ok: bool, why: str) -> None:
    if not ok:
        raise CompiledError(why)


def _list(value: object) -> list:
    _check(isinstance(value, list), "a list was expected")
    return value  # type: ignore[return-value]


def _words(value: object) -> tuple[str, ...]:
    _check(type(value) is list, "words")
    try:
        words = tuple(map(sys.intern, value))  # type: ignore[arg-type]
    except TypeError:
        raise CompiledError("words") from None
    _check("" not in words, "an empty word")
    return words


def _token(row: object, articles: tuple[str, ...]) -> Token:
    _check(type(row) is list and len(row) == 7, "a token has seven fields")
    kind, options, base, optional, comma, tags, flexible = row  # type: ignore[misc]
    _check(kind in _KINDS and type(base) is str, "token kind or base")
    _check(type(optional) is type(comma) is type(flexible) is bool, "token flags")
    words = _words(options)
    if kind == "slot":
        _check(base in SLOTS and words == SLOTS[base], "slot words")
    else:
        joined = " ".join(words)
        ok = joined.isprintable() and "|" not in joined and joined.count(" ") == len(words) - 1
        _check(ok, "forms")
    if flexible:
        _check(words == articles, "article token")
        words = articles
    table = {}
    for pair in _list(tags):
        _check(type(pair) is list and len(pair) == 2 and type(pair[0]) is str, "tags")
        names = frozenset(_words(pair[1]))
        _check(names <= _TAGS, "unknown tag")
        table[sys.intern(pair[0])] = names
    return Token(kind, words, base, optional, comma, table)


def _entry(row: object, tokens: list[Token], entry_type: type) -> object:
    _check(type(row) is list and len(row) == len(_FIELDS), "an entry's fields")
    rule, kind, category, phrase, numbers, replacement, origin, *sets = row  # type: ignore[misc]
    _check(type(rule) is type(kind) is type(category) is type(phrase) is str, "an entry's text")
    _check(type(origin) is str and (replacement is None or type(replacement) is str), "text")
    _check(type(numbers) is list and len(numbers) > 0, "tokens")
    try:
        chosen = tuple(tokens[n] for n in numbers if type(n) is int and n >= 0)
    except IndexError:
        raise CompiledError("tokens") from None
    _check(len(chosen) == len(numbers), "tokens")
    not_after, only_after, literal, echo = sets
    return entry_type(
        rule, kind, category, phrase, chosen, replacement, origin,
        frozenset(_words(not_after)),
        None if only_after is None else frozenset(_words(only_after)),
        frozenset(_words(literal)),
        frozenset(_words(echo)),
    )  # fmt: skip


def read(
    path: Path, key: str, articles: tuple[str, ...], entry_type: type, kinds: Mapping
) -> list | None:
    """Return the entries stored at `path`, or None when missing or not to be trusted."""
    try:
        return load(path.read_bytes(), key, articles, entry_type, kinds)
    except (OSError, CompiledError):
        return None


def write(path: Path, data: bytes) -> None:
    """Store `data` at `path` atomically, dropping old files; a read-only cache is no error."""
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".lexicon-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, path)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        others = sorted(path.parent.glob("lexicon-*.json"), key=lambda p: p.stat().st_mtime)
        for old in others[:-_KEEP]:
            old.unlink()
