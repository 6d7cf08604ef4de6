"""A heuristic "model" for the fake: answers critique and grading calls from the prompt.

It reads the user text the way Nudge's prompts lay it out (`<block index="N">` passages
and `<candidate id="N">` grading items), spots a few stock phrases and returns the
structured answer; the fake renders it as the request's shape asks.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from tests.fakes.replies import Recorded, Reply, tool

Responder = Callable[[Recorded], "Reply | None"]

# Phrases the heuristic responder "notices", with category, reason and replacement.
HEURISTIC_PHRASES = {
    "in order to": ("wordiness", "'To' says the same in fewer words.", "to"),
    "a lot of": ("wordiness", "A vaguer, longer way to say 'many'.", "many"),
    "at the end of the day": ("cliche", "A stock phrase.", "ultimately"),
    "keep in mind": ("wordiness", "Shorter: 'remember'.", "remember"),
    "is able to": ("wordiness", "'Can' is shorter.", "can"),
    "each and every": ("redundancy", "Both words say the same.", "every"),
    "end result": ("redundancy", "A result is already the end.", "result"),
    "almost always": ("wordiness", "'Usually' is shorter.", "usually"),
    "very ": ("wordiness", "'Very' seldom adds meaning.", ""),
}
_BLOCK = re.compile(r'<block index="(\d+)">\n?(.*?)\n?</block>', re.S)
_CANDIDATE = re.compile(r'<candidate id="(\d+)"')


def heuristic_responder(score: float = 0.8) -> Responder:
    """Answer critique calls by spotting known phrases and grading calls with `score`."""

    def respond(recorded: Recorded) -> Reply:
        text = recorded.user_text
        if _CANDIDATE.search(text):
            grades = [{"id": int(i), "score": score} for i in _CANDIDATE.findall(text)]
            return tool({"grades": grades})
        suggestions = []
        for index, block in _BLOCK.findall(text):
            lowered = block.lower()
            for phrase, (category, reason, replacement) in HEURISTIC_PHRASES.items():
                at = lowered.find(phrase)
                if at != -1:
                    quote = block[at : at + len(phrase)]
                    suggestions.append(
                        {
                            "block": int(index),
                            "quote": quote,
                            "category": category,
                            "reason": reason,
                            "replacement": replacement,
                        }
                    )
        return tool({"suggestions": suggestions})

    return respond
