"""The parsed lexicon kept on disk, so a new process skips parsing 5,000 entries.

Parsing the TSV files, expanding every verb and noun and building the matcher's trie
takes a second or two; reading the result back takes a few hundredths. The file lives
in the cache folder (`NUDGE_CACHE_DIR`, else the user's), named by a key that hashes
the data files, the names they are quoted by, the package version and the source of
the modules that shape an entry or the trie, so any change to them means a new file,
built once.

A cache folder is writable by others than the package (a CI cache restored from
another branch), so the file is plain JSON, never pickle: a header with a SHA-256 of
the rest, then the entries and tokens column by column, the first-word index and the
matcher's tables, every column type- and range-checked whole as it is read (entries
are then built only when they match, with nothing left to check). Anything that does
not fit, a truncated file, another format or version, a changed byte, a number out of
range, is not trusted: the lexicon is parsed afresh and the file rewritten. At worst a
forged file can change what is suggested; it cannot run code, and patterns built from
its words escape every character.
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
from itertools import chain
from pathlib import Path

from nudge import __version__
from nudge.critics.matcher import check_tables
from nudge.critics.phrases import SLOTS, Token, first_words, last_words
from nudge.paths import default_cache_dir

FORMAT = 2
MAGIC = b"nudge-lexicon"
_SHAPERS = ("lexicon.py", "phrases.py", "morphology.py", "matcher.py", "compiled.py")
_KINDS = ("word", "verb", "noun", "slot")
_TAGS = frozenset({"base", "s", "past", "pp", "ing", "sg", "pl"})
_TEXT = ("rule", "kind", "category", "phrase", "origin")  # an entry's str fields
_SETS = ("not_after", "only_after", "literal", "echo")  # its word sets (only_after may be None)
_ENTRY_FIELDS = ("rule", "kind", "category", "phrase", "tokens", "replacement", "origin", *_SETS)
_TOKEN_FIELDS = ("kind", "options", "base", "optional", "comma", "surfaces", "tags", "flexible")
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


def dump(entries: Sequence, key: str, articles: tuple[str, ...], matcher: dict) -> bytes:
    """Encode entries and their matcher's tables as the stored file's bytes.

    `articles` is the flexible article token's words. Entries and tokens are stored
    column by column (each field one list), so reading them back checks each column
    in one pass and builds an entry only when it is asked for.
    """
    names = tuple(f.name for f in fields(entries[0])) if entries else _ENTRY_FIELDS
    if names != _ENTRY_FIELDS:
        raise CompiledError(f"Entry has fields {names}; teach compiled.py the new ones")
    numbers: dict[int, int] = {}
    tokens: list[Token] = []
    columns: dict[str, list] = {name: [] for name in _ENTRY_FIELDS}
    lasts, firsts = [], {}
    for number, entry in enumerate(entries):
        row = []
        for token in entry.tokens:
            if id(token) not in numbers:
                numbers[id(token)] = len(tokens)
                tokens.append(token)
            row.append(numbers[id(token)])
        columns["tokens"].append(row)
        for name in (*_TEXT, "replacement"):
            columns[name].append(getattr(entry, name))
        for name in _SETS:
            value = getattr(entry, name)
            columns[name].append(None if value is None else sorted(value))
        lasts.append(-1 if last_words(entry.tokens) is None else row[-1])
        for word in sorted(first_words(entry.tokens)):
            firsts.setdefault(word, []).append(number)
    token_columns: dict[str, list] = {name: [] for name in _TOKEN_FIELDS}
    for token in tokens:
        tags = sorted(token.tags.items())
        values = (token.kind, list(token.options), token.base, token.optional, token.comma,
                  [surface for surface, _ in tags], [",".join(sorted(t)) for _, t in tags],
                  token.options is articles)  # fmt: skip
        for name, value in zip(_TOKEN_FIELDS, values, strict=True):
            token_columns[name].append(value)
    body = {"format": FORMAT, "key": key, "tokens": token_columns, "entries": columns,
            "lasts": lasts, "firsts": firsts, "matcher": matcher}  # fmt: skip
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    return MAGIC + b" " + hashlib.sha256(data).hexdigest().encode() + b"\n" + data


class Stored:
    """A stored lexicon, checked: its matcher tables and index, and entries built on demand."""

    def __init__(self, body: dict, articles: tuple[str, ...], entry_type: type):
        self._tokens_in = body["tokens"]
        self._entries_in = body["entries"]
        self.rules: list[str] = self._entries_in["rule"]
        self.lasts: list[int] = body["lasts"]
        self.firsts: dict[str, list[int]] = body["firsts"]
        self.matcher: dict = body["matcher"]
        self._articles = articles
        self._entry_type = entry_type
        self._tokens: list[Token | None] = [None] * len(self._tokens_in["kind"])
        self._entries: list[object | None] = [None] * len(self.rules)
        self._tag_sets: dict[str, frozenset[str]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def options(self, number: int) -> list[str]:
        """Return token `number`'s words without building it."""
        return self._tokens_in["options"][number]

    def token(self, number: int) -> Token:
        """Return token `number`, built once (entries that share it share the object)."""
        token = self._tokens[number]
        if token is None:
            kind, options, base, optional, comma, surfaces, tags, flexible = (
                self._tokens_in[name][number] for name in _TOKEN_FIELDS
            )
            words = self._articles if flexible else tuple(map(sys.intern, options))
            table = {sys.intern(s): self._tag_set(t) for s, t in zip(surfaces, tags, strict=True)}
            token = self._tokens[number] = Token(kind, words, base, optional, comma, table)
        return token

    def _tag_set(self, names: str) -> frozenset[str]:
        found = self._tag_sets.get(names)
        if found is None:
            found = self._tag_sets[names] = frozenset(names.split(","))
        return found

    def entry(self, number: int):
        """Return entry `number`, built once."""
        entry = self._entries[number]
        if entry is None:
            c = self._entries_in
            sets = [c[name][number] for name in _SETS]
            entry = self._entries[number] = self._entry_type(
                c["rule"][number], c["kind"][number], c["category"][number],
                c["phrase"][number], tuple(map(self.token, c["tokens"][number])),
                c["replacement"][number], c["origin"][number],
                *(None if words is None else frozenset(map(sys.intern, words)) for words in sets),
            )  # fmt: skip
        return entry


def load(
    data: bytes, key: str, articles: tuple[str, ...], entry_type: type, kinds: Mapping
) -> Stored:
    """Decode and check the stored file's bytes; raise CompiledError if anything is off.

    Every column is checked whole here, so the entries built later from them need no
    checks of their own.
    """
    header, newline, body = data.partition(b"\n")
    if not newline or header[: len(MAGIC) + 1] != MAGIC + b" ":
        raise CompiledError("not a stored lexicon")
    if header[len(MAGIC) + 1 :] != hashlib.sha256(body).hexdigest().encode():
        raise CompiledError("checksum does not match (truncated or changed)")
    collecting = gc.isenabled()
    gc.disable()  # a hundred thousand objects, none of them cyclic garbage: twice as fast
    try:
        parsed = json.loads(body)
    except ValueError as exc:
        raise CompiledError(f"not JSON: {exc}") from None
    finally:
        if collecting:
            gc.enable()
    _check(type(parsed) is dict and parsed.get("format") == FORMAT, "another format")
    _check(parsed.get("key") == key, "built from other data or another version")
    want = {"format", "key", "tokens", "entries", "lasts", "firsts", "matcher"}
    _check(set(parsed) == want, "the stored parts")
    try:
        _check_parts(parsed, articles, kinds)
    except CompiledError:
        raise
    except (TypeError, ValueError, KeyError) as exc:  # a shape no check above foresaw
        raise CompiledError(f"{type(exc).__name__}: {exc}") from None
    return Stored(parsed, articles, entry_type)


def _check_parts(parsed: dict, articles: tuple[str, ...], kinds: Mapping) -> None:
    tokens = _columns(parsed["tokens"], _TOKEN_FIELDS)
    entries = _columns(parsed["entries"], _ENTRY_FIELDS)
    _check_tokens(tokens, articles)
    _check_entries(entries, len(tokens["kind"]), kinds)
    count = len(entries["rule"])
    lasts, firsts = parsed["lasts"], parsed["firsts"]
    _check(type(lasts) is list and len(lasts) == count, "last tokens")
    _numbers(lasts, len(tokens["kind"]), lowest=-1)
    _check(type(firsts) is dict and all(type(v) is list for v in firsts.values()), "first words")
    _numbers(list(chain.from_iterable(firsts.values())), count)
    check_tables(parsed["matcher"], count)


def _check(ok: bool, why: str) -> None:
    if not ok:
        raise CompiledError(why)


def _columns(value: object, names: tuple[str, ...]) -> dict[str, list]:
    """Check a table of equally long lists, one per name."""
    _check(type(value) is dict and tuple(value) == names, "columns")
    columns: dict[str, list] = value  # type: ignore[assignment]
    _check(all(type(c) is list for c in columns.values()), "a column")
    _check(len({len(c) for c in columns.values()}) == 1, "column lengths")
    return columns


def _types(values: list, *allowed: type) -> None:
    _check(set(map(type, values)) <= set(allowed), "a value of the wrong type")


def _numbers(values: list, bound: int, lowest: int = 0) -> None:
    _types(values, int)
    _check(not values or (min(values) >= lowest and max(values) < bound), "a number out of range")


def _word_lists(column: list, none: bool = False) -> list[str]:
    """Check a column of word lists (or None); return all its words."""
    _types(column, list, *((type(None),) if none else ()))
    words = list(chain.from_iterable(c for c in column if c is not None))
    _types(words, str)
    _check("" not in words, "an empty word")
    return words


def _check_tokens(tokens: dict[str, list], articles: tuple[str, ...]) -> None:
    _types(tokens["kind"], str)
    _check(set(tokens["kind"]) <= set(_KINDS), "token kind")
    _types(tokens["base"], str)
    for name in ("optional", "comma", "flexible"):
        _types(tokens[name], bool)
    words = _word_lists(tokens["options"])
    _check(all(tokens["options"]), "a token without words")
    joined = "".join(words)
    _check(joined.isprintable() and " " not in joined and "|" not in joined, "forms")
    for number, kind in enumerate(tokens["kind"]):
        if kind == "slot":
            base = tokens["base"][number]
            _check(base in SLOTS and tuple(tokens["options"][number]) == SLOTS[base], "slot words")
    for number in [n for n, flexible in enumerate(tokens["flexible"]) if flexible]:
        _check(tuple(tokens["options"][number]) == articles, "article token")
    _word_lists(tokens["surfaces"])
    _types(tokens["tags"], list)
    _check(list(map(len, tokens["surfaces"])) == list(map(len, tokens["tags"])), "tags")
    names = list(chain.from_iterable(tokens["tags"]))
    _types(names, str)
    _check(all(set(n.split(",")) <= _TAGS for n in set(names)), "unknown tag")


def _check_entries(entries: dict[str, list], tokens: int, kinds: Mapping) -> None:
    for name in _TEXT:
        _types(entries[name], str)
    _types(entries["replacement"], str, type(None))
    _types(entries["tokens"], list)
    _check(all(entries["tokens"]), "an entry without tokens")
    _numbers(list(chain.from_iterable(entries["tokens"])), tokens)
    for name in _SETS:
        _word_lists(entries[name], none=name == "only_after")
    pairs = zip(entries["kind"], entries["category"], strict=True)
    _check(all(kinds.get(kind) == category for kind, category in pairs), "an entry's kind")
    _check(len(set(entries["rule"])) == len(entries["rule"]), "a rule twice")


def read(
    path: Path, key: str, articles: tuple[str, ...], entry_type: type, kinds: Mapping
) -> Stored | None:
    """Return the lexicon stored at `path`, or None when missing or not to be trusted."""
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
