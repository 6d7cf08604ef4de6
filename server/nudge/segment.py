"""Split a document into blocks of prose, masking everything that is not prose.

A segmenter walks the lines of a text and yields regions that cover it: prose
blocks (paragraphs, headings, list items, quotes, table rows) and opaque regions
(code fences, front matter, math, directives, HTML comments) that critics skip.
Within prose, inline code, URLs, markup, LaTeX commands and inline math are
masked: replaced by spaces in `Block.masked`, so offsets still line up.

Because opaque regions are blocks too, segmentation can restart at any block
boundary. That is what lets `Document` re-segment only the edited region: it
re-runs the segmenter from the block before an edit to the block after it, and
accepts the result if the segmenter ended outside any fence or environment.

Writers turn Nudge off for a stretch with disable comments (`<!-- nudge off -->` and
`<!-- nudge on -->` in Markdown, `% nudge off` in LaTeX, `.. nudge off` in reST, each
on a line of its own): from the `off` line through the next `on` line (or the end of
the text) is one opaque region of kind "disabled", so an `off` whose `on` lies past a
re-segmented window leaves the segmenter unclean, like an unclosed fence. The
per-line form `nudge ignore-line` masks the line it ends, or, alone on its line, the
next line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from nudge.languages import LANGUAGES
from nudge.model import Block

OPAQUE_KINDS = frozenset(
    {"code", "frontmatter", "math", "directive", "comment", "html", "disabled"}
)

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")
_URL = (
    r"(?:https?|ftp)://[^\s<>()\[\]`\"']+[^\s<>()\[\]`\"'.,;:!?]|www\.[^\s<>()]+\.[a-z]{2,}[^\s<>()]*"
    # a bare host name followed by a path (example.co.uk/events/back-to-basics)
    r"|(?<![\w@./-])(?:[a-z0-9-]+\.)+[a-z]{2,}/[^\s<>()\[\]`\"']*[^\s<>()\[\]`\"'.,;:!?]"
)
_EMAIL = r"[\w.+-]+@[\w-]+\.[\w.-]+"


class _Inline:
    """An inline-markup pattern, compiled on first use without what a text cannot match.

    Most prose has no "/" and no "@": the URL and e-mail alternatives, which can start
    at any word character, would then cost the scan most of its time for nothing. An
    alternative that matches nowhere in a text changes no match in it, so each block
    is scanned with the pattern of the alternatives it can hold (one of four).
    """

    def __init__(self, parts: list[str], flags: int, starts: str = ""):
        self._parts = parts
        self._flags = flags
        # Without those two, every match starts with one of `starts` or at a line's start
        # (the ^ alternatives): a lookahead for that lets the scan skip other characters.
        self._guard = f"(?:(?={starts})|^)" if starts else ""
        self._compiled: dict[tuple[bool, bool], re.Pattern[str] | None] = {}

    def for_text(self, text: str) -> re.Pattern[str] | None:
        """Return the pattern to mask `text` with (None: nothing in it can match)."""
        key = ("/" in text or "www." in text, "@" in text)
        if key not in self._compiled:
            url, email = key
            parts = [p for p in self._parts if (p != _URL or url) and (p != _EMAIL or email)]
            guard = "" if url or email else self._guard
            body = f"{guard}(?:{'|'.join(parts)})"
            self._compiled[key] = re.compile(body, self._flags) if parts else None
        return self._compiled[key]


_MARKDOWN_INLINE = _Inline(
    [
        r"(?<!`)(`+)(?!`).*?(?<!`)\1(?!`)",  # inline code (may hold shorter backtick runs)
        r"<!--.*?-->",
        r"</?[A-Za-z][\w:-]*(?:\s[^<>]*)?/?>",  # HTML tags
        r"!?\[(?=[^\]\n]*\][(\[])",  # link/image opener
        r"\]\([^)\s]*(?:\s\"[^\"]*\")?\)",  # link target
        r"^\s*\[[^\]]+\]:\s*\S+.*$",  # reference definition
        r"\]\[[^\]]*\]",  # reference link label
        r"\$\$.+?\$\$",
        r"(?<![\w$\\])\$(?=\S)[^$\n]+?(?<=\S)\$(?!\w)",  # inline math
        r"\{\{.*?\}\}|\{%.*?%\}",  # template tags
        _URL,
        _EMAIL,
        r"^\s{0,3}(?:#{1,6}\s|>\s?|[-*+]\s+(?:\[[ xX]\]\s)?|\d{1,9}[.)]\s)",  # line markers
        r"^\s*\|?(?:\s*:?-{2,}:?\s*\|)+\s*:?-*:?\s*$",  # table rule
        r"\|",
    ],
    re.MULTILINE | re.DOTALL,
    starts=r"[`<!\[\]${|]",
)

_LATEX_INLINE = _Inline(
    [
        r"(?<!\\)%[^\r\n]*",  # comment (to the end of its line)
        r"\\(?:\(|\[).*?\\(?:\)|\])",  # \( \) and \[ \]
        r"(?<!\\)\$\$.+?\$\$",
        r"(?<!\\)\$[^$]+?\$",
        r"\\verb\*?([^\sA-Za-z*])[^\n]*?\1",  # \verb|x|, before \verb alone
        r"\\(?:begin|end|label|ref|eqref|cite[tp]?|citep|url|href|include\w*|input|"
        r"bibliography\w*|usepackage|documentclass|newcommand|renewcommand|pageref|"
        r"autoref|cref|Cref|verb)\*?(?:\[[^\]]*\])?(?:\{[^{}]*\})*",
        r"\\[A-Za-z@]+\*?(?:\[[^\]]*\])?",  # any other command name
        r"\\.",  # escapes such as \% \&
        r"[{}~&]",
        _URL,
        _EMAIL,
    ],
    re.MULTILINE | re.DOTALL,
    starts=r"[%\\${}~&]",
)

_RST_INLINE = _Inline(
    [
        r"``.+?``",
        r":[\w:+-]+:`[^`]+`",  # roles
        r"`[^`<]*<[^>]+>`__?",  # hyperlinks with targets: mask the whole thing
        r"`[^`]+`_{0,2}",
        r"\|[^|\s][^|]*\|",  # substitutions
        r"\[[#*\w-]+\]_",  # footnote and citation references
        r"^\s*(?:[-*+]|\d+[.)]|#\.)\s+",
        _URL,
        _EMAIL,
    ],
    re.MULTILINE | re.DOTALL,
    starts=r"[`:|\[]",
)

_PLAIN_INLINE = _Inline([_URL, _EMAIL], re.MULTILINE)

_SENTINEL = re.compile(r"[^\r\n]")
_NONE: frozenset[int] = frozenset()


def mask_text(text: str, pattern: re.Pattern[str] | _Inline | None) -> str:
    """Return `text` with every match of `pattern` blanked out (newlines kept)."""
    if isinstance(pattern, _Inline):
        pattern = pattern.for_text(text)
    if pattern is None:
        return text
    pieces: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        if match.end() == match.start():
            continue
        pieces.append(text[last : match.start()])
        pieces.append(_SENTINEL.sub(" ", match.group()))
        last = match.end()
    if not pieces:
        return text
    pieces.append(text[last:])
    return "".join(pieces)


def blank(text: str) -> str:
    """Return `text` with everything but line breaks turned to spaces."""
    return _SENTINEL.sub(" ", text)


@dataclass
class _Line:
    start: int
    text: str  # without the line break

    @property
    def stripped(self) -> str:
        return self.text.strip()


def iter_lines(text: str, base: int = 0) -> Iterator[_Line]:
    """Yield each line of `text` with its absolute offset, without its break."""
    for match in _LINE.finditer(text):
        raw = match.group()
        if not raw and match.start() == len(text) and text:
            break
        yield _Line(base + match.start(), raw.rstrip("\r\n"))
        if match.end() == len(text):
            break


class _Builder:
    """Collects regions; the segmenters below call it as they walk lines."""

    def __init__(self, text: str, base: int, inline: _Inline, ignored: frozenset[int] = _NONE):
        self.text = text
        self.base = base
        self.inline = inline
        self.ignored = ignored  # start offsets of lines an ignore-line comment masks
        self.blocks: list[Block] = []
        self.open_lines: list[_Line] = []
        self.open_kind = ""

    def _region(self, lines: list[_Line], kind: str) -> None:
        start = lines[0].start
        end = lines[-1].start + len(lines[-1].text)
        body = self.text[start - self.base : end - self.base]
        if kind in OPAQUE_KINDS:
            masked = blank(body)
        else:
            masked = mask_text(body, self.inline)
            if self.ignored:
                masked = self._mask_ignored(lines, masked)
            if not masked.strip():
                kind = "markup"
        self.blocks.append(Block.make(start, body, masked, kind))

    def _mask_ignored(self, lines: list[_Line], masked: str) -> str:
        """Blank the lines of a region that an ignore-line comment covers."""
        origin = lines[0].start
        for line in lines:
            if line.start in self.ignored:
                at = line.start - origin
                masked = masked[:at] + blank(line.text) + masked[at + len(line.text) :]
        return masked

    def flush(self) -> None:
        if self.open_lines:
            self._region(self.open_lines, self.open_kind)
        self.open_lines = []
        self.open_kind = ""

    def add(self, line: _Line, kind: str) -> None:
        if self.open_lines and kind != self.open_kind:
            self.flush()
        self.open_kind = kind
        self.open_lines.append(line)

    def region(self, lines: list[_Line], kind: str) -> None:
        self.flush()
        if lines:
            self._region(lines, kind)


@dataclass(frozen=True)
class _Switches:
    """One markup's disable comments: `off` and `on` lines, and the ignore-line marker."""

    off: re.Pattern[str]
    on: re.Pattern[str]
    ignore: re.Pattern[str]

    def ignored_lines(self, lines: list[_Line]) -> frozenset[int]:
        """Return the starts of lines an ignore-line comment masks.

        A marker after text masks its own line; a marker alone on its line masks the
        next line.
        """
        ignored = set()
        for i, line in enumerate(lines):
            match = self.ignore.search(line.text)
            if not match:
                continue
            if line.text[: match.start()].strip():
                ignored.add(line.start)
            elif i + 1 < len(lines):
                ignored.add(lines[i + 1].start)
        return frozenset(ignored)

    def disabled_end(self, lines: list[_Line], i: int) -> int | None:
        """If line i turns Nudge off, return the index of its `on` line (or len(lines))."""
        if not self.off.match(lines[i].text):
            return None
        return _closing_line(lines, i + 1, lambda text: bool(self.on.match(text)))


def _switches(opener: str, closer: str = "") -> _Switches:
    def line(word: str) -> re.Pattern[str]:
        return re.compile(rf"^\s*{opener}\s*nudge\s+{word}\s*{closer}\s*$", re.IGNORECASE)

    ignore = rf"{opener}\s*nudge\s+ignore-line\s*{closer}\s*$"
    return _Switches(line("off"), line("on"), re.compile(ignore, re.IGNORECASE))


_MARKDOWN_SWITCHES = _switches("<!--", "-->")
_LATEX_SWITCHES = _switches(r"(?<!\\)%")
_RST_SWITCHES = _switches(r"\.\.\s")


@dataclass
class Segmentation:
    """The blocks of a text and whether the segmenter ended in a clean state."""

    blocks: list[Block]
    clean: bool


_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_LIST_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,9}[.)])\s+\S")
_HEADING = re.compile(r"^\s{0,3}#{1,6}(?:\s|$)")
_SETEXT = re.compile(r"^\s{0,3}(?:=+|-+)\s*$")
_HR = re.compile(r"^\s{0,3}(?:(?:\*\s*){3,}|(?:-\s*){3,}|(?:_\s*){3,})$")
_HTML_BLOCK = re.compile(r"^\s{0,3}<(?:/?[A-Za-z][\w-]*[\s/>]|!--)")


def _closing_line(lines: list[_Line], start: int, closes: Callable[[str], bool]) -> int:
    """Return the index of the first line from `start` that `closes`, or len(lines)."""
    j = start
    while j < len(lines) and not closes(lines[j].text):
        j += 1
    return j


def segment_markdown(text: str, base: int = 0) -> Segmentation:
    """Segment Markdown (CommonMark with front matter, tables and math)."""
    lines = list(iter_lines(text, base))
    out = _Builder(text, base, _MARKDOWN_INLINE, _MARKDOWN_SWITCHES.ignored_lines(lines))
    i = 0
    if base == 0 and lines and lines[0].stripped in ("---", "+++"):
        close = lines[0].stripped
        for j in range(1, len(lines)):
            if lines[j].stripped in (close, "..."):
                out.region(lines[: j + 1], "frontmatter")
                i = j + 1
                break
    clean = True
    previous_blank = True
    while i < len(lines):
        line = lines[i]
        s = line.stripped
        off = _MARKDOWN_SWITCHES.disabled_end(lines, i)
        if off is not None:
            clean = clean and off < len(lines)
            out.region(lines[i : off + 1], "disabled")
            i, previous_blank = off + 1, False
            continue
        fence = _FENCE.match(line.text)
        if fence:
            marker = fence.group(1)
            j = _closing_line(lines, i + 1, lambda text, m=marker: text.strip().startswith(m))
            clean = clean and j < len(lines)
            out.region(lines[i : min(j + 1, len(lines))], "code")
            i, previous_blank = j + 1, False
            continue
        if s.startswith("$$") and not (len(s) > 2 and s.endswith("$$")):
            j = _closing_line(lines, i + 1, lambda text: "$$" in text)
            clean = clean and j < len(lines)
            out.region(lines[i : min(j + 1, len(lines))], "math")
            i, previous_blank = j + 1, False
            continue
        if s.startswith("<!--") and "-->" not in s:
            j = _closing_line(lines, i + 1, lambda text: "-->" in text)
            clean = clean and j < len(lines)
            out.region(lines[i : min(j + 1, len(lines))], "comment")
            i, previous_blank = j + 1, False
            continue
        if not s:
            out.flush()
            previous_blank = True
        elif (
            previous_blank
            and (line.text.startswith("    ") or line.text.startswith("\t"))
            and (not out.blocks or out.blocks[-1].kind != "list_item")
        ):
            j = i
            while j < len(lines) and (not lines[j].stripped or lines[j].text[:1] in " \t"):
                j += 1
            while j > i and not lines[j - 1].stripped:
                j -= 1
            out.region(lines[i:j], "code")
            i, previous_blank = j, False
            continue
        elif _HEADING.match(line.text) or (_SETEXT.match(line.text) and out.open_lines):
            if _HEADING.match(line.text):
                out.flush()
            out.add(line, "heading")
            out.flush()
        elif _HR.match(line.text):
            out.region([line], "markup")
        elif _HTML_BLOCK.match(line.text) and previous_blank:
            out.add(line, "html_text")
        elif s.startswith(">"):
            out.add(line, "quote")
        elif "|" in s and (s.startswith("|") or out.open_kind == "table"):
            out.add(line, "table")
            out.flush()
        elif _LIST_ITEM.match(line.text):
            out.flush()
            out.add(line, "list_item")
        else:
            kind = out.open_kind if out.open_lines else "paragraph"
            out.add(line, kind)
        previous_blank = not s
        i += 1
    out.flush()
    return Segmentation(_fix_html(out.blocks), clean)


def _fix_html(blocks: list[Block]) -> list[Block]:
    """Treat an HTML-started block as prose with its tags masked."""
    return [
        Block.make(b.start, b.text, b.masked, "paragraph") if b.kind == "html_text" else b
        for b in blocks
    ]


_LATEX_ENV = re.compile(r"\\begin\{([A-Za-z*]+)\}")
_LATEX_OPAQUE_ENVS = {
    "equation": "math", "equation*": "math", "align": "math", "align*": "math",
    "gather": "math", "gather*": "math", "multline": "math", "multline*": "math",
    "eqnarray": "math", "eqnarray*": "math", "displaymath": "math", "math": "math",
    "verbatim": "code", "verbatim*": "code", "lstlisting": "code", "minted": "code",
    "tikzpicture": "code", "comment": "comment", "tabular": "code", "figure": "code",
}  # fmt: skip


def segment_latex(text: str, base: int = 0) -> Segmentation:
    """Segment LaTeX: paragraphs of prose, with math, verbatim and preamble opaque."""
    lines = list(iter_lines(text, base))
    out = _Builder(text, base, _LATEX_INLINE, _LATEX_SWITCHES.ignored_lines(lines))
    i = 0
    clean = True
    while i < len(lines):
        line = lines[i]
        s = line.stripped
        off = _LATEX_SWITCHES.disabled_end(lines, i)
        if off is not None:
            clean = clean and off < len(lines)
            out.region(lines[i : off + 1], "disabled")
            i = off + 1
            continue
        env = _LATEX_ENV.match(s)
        display = s.startswith("\\[") and "\\]" not in s[2:]
        if (env and env.group(1) in _LATEX_OPAQUE_ENVS) or display or s.startswith("$$"):
            closer = (
                "\\]" if display else "$$" if s.startswith("$$") else f"\\end{{{env.group(1)}}}"
            )  # type: ignore[union-attr]
            kind = "math" if display or s.startswith("$$") else _LATEX_OPAQUE_ENVS[env.group(1)]  # type: ignore[union-attr]
            j = i
            if not (closer in s[2:] if not env else closer in s):
                j = i + 1
                while j < len(lines) and closer not in lines[j].text:
                    j += 1
            clean = clean and j < len(lines)
            out.region(lines[i : min(j + 1, len(lines))], kind)
            i = j + 1
            continue
        if not s:
            out.flush()
        elif s.startswith("%"):
            out.region([line], "comment")
        elif s.startswith("\\documentclass") or s.startswith("\\usepackage"):
            out.region([line], "directive")
        elif re.match(r"\\(?:sub)*section\*?\{|\\chapter\*?\{|\\title\{|\\paragraph\{", s):
            out.flush()
            out.add(line, "heading")
            out.flush()
        elif s.startswith("\\item"):
            out.flush()
            out.add(line, "list_item")
        else:
            out.add(line, out.open_kind if out.open_lines else "paragraph")
        i += 1
    out.flush()
    return Segmentation(out.blocks, clean)


_RST_DIRECTIVE = re.compile(
    r"^\s*\.\.\s+(?:[\w:-]+::|_[^:]+:|\[[^\]]+\]|\|[^|]+\|)|^\s*\.\.(?:\s|$)"
)
# Directives whose body is the writer's prose (admonitions and the like): only the
# directive line and its option lines are opaque; the indented body is checked.
_RST_PROSE_DIRECTIVE = re.compile(
    r"^\s*\.\.\s+(?:admonition|attention|caution|danger|error|hint|important|note|tip|"
    r"warning|seealso|topic|sidebar|rubric|epigraph|highlights|pull-quote|versionadded|"
    r"versionchanged|deprecated)::\s*$"
)
_RST_OPTION = re.compile(r"^\s+:[\w-]+:")
_RST_UNDERLINE = re.compile(r"^([=\-`:'\"~^_*+#<>])\1{2,}\s*$")


def _indented_run(lines: list[_Line], j: int) -> int:
    """Return the index after a run of blank or indented lines starting at j."""
    while j < len(lines) and (not lines[j].stripped or lines[j].text[:1] in " \t"):
        j += 1
    while j > 0 and not lines[j - 1].stripped:
        j -= 1
    return j


def segment_rst(text: str, base: int = 0) -> Segmentation:
    """Segment reStructuredText: directives, literal blocks and comments are opaque."""
    lines = list(iter_lines(text, base))
    out = _Builder(text, base, _RST_INLINE, _RST_SWITCHES.ignored_lines(lines))
    i = 0
    clean = True
    while i < len(lines):
        line = lines[i]
        s = line.stripped
        off = _RST_SWITCHES.disabled_end(lines, i)
        if off is not None:
            clean = clean and off < len(lines)
            out.region(lines[i : off + 1], "disabled")
            i = off + 1
            continue
        if _RST_PROSE_DIRECTIVE.match(line.text):
            out.flush()
            j = i + 1
            while j < len(lines) and _RST_OPTION.match(lines[j].text):
                j += 1
            out.region(lines[i:j], "directive")
            i = j
            continue
        if _RST_DIRECTIVE.match(line.text):
            j = max(i + 1, _indented_run(lines, i + 1))
            out.region(lines[i:j], "directive")
            i = j
            continue
        if not s:
            out.flush()
        elif _RST_UNDERLINE.match(s):
            if out.open_lines:
                out.open_kind = "heading"
            out.flush()
            out.region([line], "markup")
        elif re.match(r"^\s*(?:[-*+]|\d+[.)]|#\.)\s+\S", line.text):
            out.flush()
            out.add(line, "list_item")
        else:
            out.add(line, out.open_kind if out.open_lines else "paragraph")
            if s.endswith("::"):
                out.flush()
                j = _indented_run(lines, i + 1)
                if j > i + 1:
                    out.region(lines[i + 1 : j], "code")
                    i = j
                    continue
        i += 1
    out.flush()
    return Segmentation(out.blocks, clean)


def segment_plaintext(text: str, base: int = 0) -> Segmentation:
    """Segment plain text into paragraphs separated by blank lines."""
    out = _Builder(text, base, _PLAIN_INLINE)
    for line in iter_lines(text, base):
        if line.stripped:
            out.add(line, "paragraph")
        else:
            out.flush()
    out.flush()
    return Segmentation(out.blocks, True)


_SEGMENTERS_BY_NAME: dict[str, Callable[[str, int], Segmentation]] = {
    "markdown": segment_markdown,
    "latex": segment_latex,
    "rst": segment_rst,
    "plaintext": segment_plaintext,
}
# Every language id and alias (from the one table in `nudge.languages`) to its segmenter.
SEGMENTERS = {
    name: _SEGMENTERS_BY_NAME[language.segmenter]
    for language in LANGUAGES
    for name in language.names
}


def segment(text: str, language: str, base: int = 0) -> Segmentation:
    """Segment `text` (which starts at document offset `base`) as `language`."""
    return SEGMENTERS.get(language, segment_plaintext)(text, base)


def split_blocks(text: str, language: str) -> list[Block]:
    """Return the prose blocks of a whole text (opaque regions left out)."""
    return [b for b in segment(text, language).blocks if is_prose(b)]


def is_prose(block: Block) -> bool:
    """Tell whether a block holds prose a critic should read."""
    return block.kind not in OPAQUE_KINDS and block.kind != "markup"
