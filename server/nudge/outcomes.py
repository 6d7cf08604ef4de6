"""Every shown suggestion's fate: one outcome per finding, recorded when its life ends.

A finding's life starts the first time a publish shows it and ends with exactly one
outcome: `accepted` (its words now read the replacement, however the client delivered
the edit: one whole-range replace, a delete then an insert, or an insert then a
delete), `dismissed`, `ignored` (the phrase ignored everywhere), `edited` (the writer
changed the quoted words some other way), `closed` (still shown when its document
closed), or `withdrawn` (it stopped being shown for another reason: a threshold went
up, another critic's finding took its place, its paragraph awaits a new review).

Identity survives offset shifts: each live finding's span is moved through every edit
as it arrives, so text typed above it changes nothing, and the next publish finds it
again at its new place (same span, same rule). An edit that reaches its words marks it
touched; the next publish (or the close) decides whether that was an acceptance. A
quick fix may reach past the quote (a deletion takes a space and capitalises the next
word, `fixes.quick_fix`): each publish notes the text that fix writes, and the region
reading exactly that is an acceptance too. A
finding that vanishes untouched is only suspended: if it comes back at its place (the
paragraph's review arrives again) it is the same life, counted once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from nudge.fixes import quick_fix
from nudge.model import Finding
from nudge.telemetry import OUTCOMES as OUTCOMES

MAX_SUSPENDED = 500


@dataclass
class Life:
    """One shown finding: its current span in the live text, and since when it shows."""

    finding: Finding
    start: int
    end: int
    since: float
    touched: bool = False
    showing: bool = True
    fix: str | None = None  # the text its quick fix writes, when wider than the quote

    @property
    def key(self) -> tuple[int, int, str]:
        """Return (start, end, rule): what a publish matches on."""
        return self.start, self.end, self.finding.rule

    def move(self, start: int, end: int, text: str) -> None:
        """Carry the span through one edit replacing [start, end) by `text`."""
        delta = len(text) - (end - start)
        s, e = self.start, self.end
        if self.touched:
            if start <= e and end >= s:  # the edit reaches the touched region: grow it
                self.start, self.end = min(s, start), max(e, end) + delta
            elif end <= s:
                self.start, self.end = s + delta, e + delta
            return
        replacement = self.finding.replacement
        if start == end and text and text in (replacement, self.fix) and start in (s, e):
            self.touched = True  # an insert of the fix beside the words: the delete follows
            self.end = e + delta
        elif end <= s:
            self.start, self.end = s + delta, e + delta
        elif start >= e:
            return
        else:
            self.touched = True
            self.start, self.end = min(s, start), max(e, end) + delta


def split_replacement(old: str, new: str) -> tuple[int, int, str]:
    """Return one edit (start, end, text) turning `old` into `new`: the changed middle."""
    limit = min(len(old), len(new))
    prefix = 0
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    return prefix, len(old) - suffix, new[prefix : len(new) - suffix]


def reads_as(region: str, replacement: str | None) -> bool:
    """Tell whether the words now read the replacement (case and outer spaces aside)."""
    if replacement is None:
        return False
    return " ".join(region.split()).casefold() == " ".join(replacement.split()).casefold()


def fix_text(text: str, finding: Finding) -> str | None:
    """Return what the finding's quick fix writes in `text`, if its edit is wider."""
    fix = quick_fix(text, finding)
    if fix is None or (fix.start, fix.end) == (finding.start, finding.end):
        return None
    return fix.text


class OutcomeTracker:
    """The live findings of each open document, and the outcome each one ends with."""

    def __init__(
        self,
        on_shown: Callable[[list[Finding]], None],
        on_outcome: Callable[[str, Life, float], None],
        clock: Callable[[], float] = time.monotonic,
    ):
        self.on_shown, self.on_outcome, self.clock = on_shown, on_outcome, clock
        self.lives: dict[str, dict[tuple[int, int, str], Life]] = {}

    def edit(self, uri: str, start: int, end: int, text: str) -> None:
        """Move every live finding of a document through one edit."""
        lives = self.lives.get(uri)
        if not lives:
            return
        moved: dict[tuple[int, int, str], Life] = {}
        for life in lives.values():
            life.move(start, end, text)
            if (twin := moved.get(life.key)) is not None:  # two lives became one region
                self._end("edited" if twin.showing else "withdrawn", twin)
            moved[life.key] = life
        self.lives[uri] = moved

    def publish(self, uri: str, findings: Iterable[Finding], text: str) -> list[Finding]:
        """Match what a publish shows against the live findings; return the new ones."""
        shown = {(f.start, f.end, f.rule): f for f in findings}
        lives = self.lives.setdefault(uri, {})
        kept: dict[tuple[int, int, str], Life] = {}
        for life in lives.values():
            if life.touched:
                self._settle(life, text, shown, kept)
            elif life.key in shown:
                life.finding, life.showing = shown.pop(life.key), True
                life.fix = fix_text(text, life.finding)
                kept[life.key] = life
            else:
                life.showing = False  # suspended: it may come back at its place
                kept[life.key] = life
        now = self.clock()
        fresh = [f for key, f in shown.items() if key not in kept]
        for f in fresh:
            kept[(f.start, f.end, f.rule)] = Life(f, f.start, f.end, now, fix=fix_text(text, f))
        suspended = [k for k, life in kept.items() if not life.showing]
        for key in suspended[: max(0, len(suspended) - MAX_SUSPENDED)]:
            self._end("withdrawn", kept.pop(key))
        self.lives[uri] = kept
        if fresh:
            self.on_shown(fresh)
        return fresh

    def _settle(self, life: Life, text: str, shown: dict, kept: dict) -> None:
        """Decide what a touched finding became: accepted, the same again, or edited."""
        region = text[life.start : life.end]
        if life.showing and (
            reads_as(region, life.finding.replacement)
            or (life.fix is not None and region == life.fix)
        ):
            return self._end("accepted", life)
        again = next(
            (k for k, f in shown.items()
             if k[2] == life.finding.rule and life.start <= f.start and f.end <= life.end
             and f.quote.casefold() == life.finding.quote.casefold()),
            None,
        )  # fmt: skip
        if again is not None:
            life.finding, life.touched, life.showing = shown.pop(again), False, True
            life.start, life.end = life.finding.start, life.finding.end
            life.fix = fix_text(text, life.finding)
            kept[life.key] = life
        else:
            self._end("edited" if life.showing else "withdrawn", life)

    def end(self, uri: str, finding: Finding, outcome: str) -> bool:
        """End the live finding at `finding`'s span and rule with `outcome`; False if none."""
        life = self.lives.get(uri, {}).pop((finding.start, finding.end, finding.rule), None)
        if life is None:
            return False
        self._end(outcome, life)
        return True

    def end_matching(self, predicate: Callable[[Finding], bool], outcome: str) -> int:
        """End every showing finding, in every document, that `predicate` accepts."""
        count = 0
        for lives in self.lives.values():
            for key in [k for k, life in lives.items() if life.showing and predicate(life.finding)]:
                self._end(outcome, lives.pop(key))
                count += 1
        return count

    def close(self, uri: str, text: str | None, outcome: str = "closed") -> None:
        """End every finding of a closing document: touched ones settle, the rest `outcome`."""
        for life in self.lives.pop(uri, {}).values():
            if life.touched and text is not None:
                self._settle(life, text, {}, {})
            else:
                self._end(outcome if life.showing else "withdrawn", life)

    def _end(self, outcome: str, life: Life) -> None:
        self.on_outcome(outcome, life, max(0.0, self.clock() - life.since))
