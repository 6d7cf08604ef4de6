"""`nudge doctor`: what Nudge will do, and proof that the key, the models and the cache work.

Offline it prints the settings in force and where each came from, the state folder,
and for each configured model the request shape Nudge sends it (from the model
table) with the system prompt's estimated size against the model's minimum cacheable
prompt. With `ANTHROPIC_API_KEY` set it asks the Models API about each model, counts
the system prompt's real tokens (free), and makes one tiny critique call on the
critique model and one tiny grading call on the grader model, each twice, so the
second call shows a cache read. `max_tokens` is kept small so the whole check costs
well under a cent with the default models.

Exit status: 0 every check that ran passed; 1 a live call failed (key, model,
network); 2 no API key, so the live checks were skipped (offline suggestions work).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from nudge import __version__
from nudge.critics.models import MODELS
from nudge.settings import FIELDS, TEAM_FILE, Settings, camel, load_settings, read_team_file
from nudge.store import default_cache_dir

DOCTOR_TOKENS = 160  # max_tokens of each live call: enough to prove it, cheap to send
SAMPLE = "The release notes list every change."  # nothing to flag: a short answer
NO_KEY = (
    "ANTHROPIC_API_KEY is not set: Claude is off and only offline suggestions run. "
    "Set it in the environment (or, in VS Code, run 'Nudge: Set Anthropic API Key') "
    "and run `nudge doctor` again to check the key."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare `nudge doctor`'s options."""
    parser.add_argument("--root", type=Path, help=f"workspace root holding {TEAM_FILE}")
    parser.add_argument("--offline", action="store_true", help="skip the live calls")
    from nudge.usage import epilog

    parser.epilog = epilog(
        [("0", "every check that ran passed"),
         ("1", "a live call failed (key, model or network: the line says which)"),
         ("2", "no ANTHROPIC_API_KEY, so only the offline report was printed")],
        "a plain-text report on stdout",
    )  # fmt: skip


def setting_sources(root: Path, settings: Settings) -> list[tuple[str, Any, str]]:
    """Return (editor key, value, source) for every setting."""
    values, lines, _ = read_team_file(root / TEAM_FILE)
    out = []
    for name in FIELDS:
        key = next((k for k in (name, camel(name)) if k in values), None)
        if key is not None and getattr(settings, name) != getattr(Settings(), name):
            line = lines.get(key)
            source = f"{TEAM_FILE}:{line}" if line else TEAM_FILE
        else:
            source = "default"
        out.append((camel(name), getattr(settings, name), source))
    return out


def _critic_prompts() -> dict[str, Any]:
    from nudge.prompt_loader import load_prompt

    return {"critique": load_prompt("critique"), "grade": load_prompt("grade")}


def shapes_report(settings: Settings, shapes: Any = None) -> list[dict[str, Any]]:
    """Return, per configured model, its role, request shape and cache facts."""
    from nudge.critics.claude import CRITIQUE_TOKENS, GRADE_TOKENS
    from nudge.critics.transport import ModelShapes

    answer_tokens = {"critique": CRITIQUE_TOKENS, "grade": GRADE_TOKENS}
    shapes = shapes or ModelShapes({"critique": settings.effort, "grade": settings.grader_effort})
    prompts = _critic_prompts()
    out = []
    for kind, model in (("critique", settings.model), ("grade", settings.grader_model)):
        spec = shapes.spec(model)
        shape = shapes.shape(model, kind)
        prompt = prompts[kind]
        params = shape.params(
            prompt.output.name, prompt.output.description, {}, answer_tokens[kind]
        )
        if "output_config" in params and "format" in params["output_config"]:
            params["output_config"]["format"] = {"type": "json_schema", "schema": "…"}
        out.append({
            "kind": kind, "model": model, "known": model in MODELS, "shape": params,
            "system_tokens_estimate": len(prompt.system) // 4,
            "min_cache_tokens": spec.min_cache_tokens,
        })  # fmt: skip
    return out


async def live_checks(settings: Settings, env: Mapping[str, str], out: TextIO) -> bool:
    """Probe, count and call each configured model twice; return whether all worked."""
    from nudge.critics.base import CritiqueRequest
    from nudge.critics.claude import ClaudeCritic, render_blocks
    from nudge.critics.grading import grade_message
    from nudge.critics.probe import probe_models
    from nudge.critics.transport import ClaudeUnavailable
    from nudge.model import Block, Finding

    critic = ClaudeCritic.from_settings(settings, env, timeout=20.0, max_retries=0)
    assert critic is not None
    caller, prompts, ok, spent = critic.caller, _critic_prompts(), True, 0.0
    request = CritiqueRequest(Block.make(0, SAMPLE, SAMPLE))
    candidate = Finding(4, 11, "release", "wordiness", "Check.", "new", 0.0, "x", "claude")
    users = {
        "critique": prompts["critique"].render_parts(**render_blocks([request])),
        "grade": grade_message([(0, candidate)], [request]),
    }
    models = {"critique": settings.model, "grade": settings.grader_model}
    found = await probe_models(caller.client, tuple(dict.fromkeys(models.values())))
    for model, caps in found.items():
        caller.shapes.apply_capabilities(model, caps)
        out.write(f"  models API: {model} found; its capabilities correct the table\n")
    for kind, model in models.items():
        prompt = prompts[kind]
        params = caller.request(kind, model, prompt, [users[kind]] if kind == "grade"
                                else users[kind], DOCTOR_TOKENS)  # fmt: skip
        try:
            counted = await caller.client.messages.count_tokens(
                **{k: v for k, v in params.items() if k != "max_tokens"}
            )
            out.write(f"  {kind} on {model}: request counts {counted.input_tokens:,} input "
                      f"tokens (count_tokens)\n")  # fmt: skip
        except Exception as exc:  # counting is informative only
            out.write(f"  {kind} on {model}: count_tokens failed ({type(exc).__name__})\n")
        for attempt in (1, 2):
            caller.records.clear()
            try:
                answer = await caller.call(
                    kind=kind, model=model, prompt=prompt, user=users[kind],
                    answer_tokens=DOCTOR_TOKENS,
                )  # fmt: skip
            except ClaudeUnavailable as exc:
                out.write(f"  {kind} on {model}, call {attempt}: FAILED: {exc.reason}\n")
                ok = False
                break
            r = caller.records[-1]
            u, spent = r.usage, spent + r.cost_usd
            out.write(
                f"  {kind} on {model}, call {attempt}: {r.status}, stop {r.stop_reason}, "
                f"{u.input_tokens} in, {u.cache_write_tokens} cache write, "
                f"{u.cache_read_tokens} cache read, {u.output_tokens} out, "
                f"${r.cost_usd:.5f}, {r.latency_ms:.0f} ms"
                f"{'' if answer.data is not None else ' (no parsable answer)'}\n"
            )
    out.write(f"  total estimated cost of the live checks: ${spent:.5f}\n")
    await caller.client.close()
    return ok


def run(args: argparse.Namespace, env: Mapping[str, str] | None = None) -> int:
    """Run `nudge doctor` and return its exit status."""
    env = os.environ if env is None else env
    out = sys.stdout
    root = (args.root or Path.cwd()).resolve()
    settings, problems = load_settings(root)
    out.write(f"nudge {__version__} (Python {sys.version.split()[0]})\n")
    out.write(f"state folder: {default_cache_dir()}\nworkspace root: {root}\n\nsettings:\n")
    for key, value, source in setting_sources(root, settings):
        out.write(f"  {key} = {value!r}  [{source}]\n")
    for problem in problems:
        out.write(f"  warning: {problem}\n")
    out.write("\nClaude request shapes (never a forced tool, sampling parameters or prefill):\n")
    for row in shapes_report(settings):
        known = "" if row["known"] else "  (unknown model: most conservative shape)"
        cached = row["system_tokens_estimate"] >= row["min_cache_tokens"]
        out.write(
            f"  {row['kind']}: {row['model']}{known}\n    {json.dumps(row['shape'])}\n"
            f"    system prompt ~{row['system_tokens_estimate']:,} tokens; the model caches "
            f"prompts of {row['min_cache_tokens']:,}+ tokens: "
            f"{'cached' if cached else 'NOT cached'}\n"
        )
    if not (env.get("ANTHROPIC_API_KEY") or "").strip():
        out.write(f"\n{NO_KEY}\n")
        return 2
    if args.offline:
        out.write("\nlive checks skipped (--offline)\n")
        return 0
    where = env.get("ANTHROPIC_BASE_URL") or "the Claude API"
    out.write(f"\nlive checks against {where}:\n")
    settings = dataclasses.replace(settings)
    return 0 if asyncio.run(live_checks(settings, env, out)) else 1
