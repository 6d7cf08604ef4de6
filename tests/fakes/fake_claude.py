"""A fake Claude: a real HTTP server on 127.0.0.1 speaking enough of the Messages API.

The real `anthropic` client talks to it over HTTP, so tests exercise the SDK's request
building, response parsing and error classes. Answers come, in order of precedence,
from a queue of scripted `Reply`s, a responder callback that sees the parsed request,
or a default empty tool call. Usage numbers come from a real prefix cache: the request
is cut at each `cache_control` breakpoint (tools, then system, then messages), and a
breakpoint whose prefix was seen within the TTL counts as a cache read; token counts
are a deterministic estimate (characters / 4 of the serialized content).

Run it as a process for end-to-end tests and benchmarks:
    python -m tests.fakes.fake_claude --port 8765 [--script replies.json] [--heuristic]
The script is a JSON list of `Reply` field dicts; `FAKE_CLAUDE_SCRIPT` works too.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}


@dataclass
class Reply:
    """One scripted answer: a tool call, text, or an HTTP error, after a delay."""

    status: int = 200
    tool_input: dict[str, Any] | None = None
    tool_name: str | None = None
    text: str | None = None
    stop_reason: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    message: str = ""
    delay: float = 0.0
    raw_body: str | None = None


def tool(tool_input: dict[str, Any], stop_reason: str = "tool_use", delay: float = 0.0) -> Reply:
    """Return a reply calling the request's forced tool with `tool_input`."""
    return Reply(tool_input=tool_input, stop_reason=stop_reason, delay=delay)


def error(status: int, retry_after: float | None = None, message: str = "fake error") -> Reply:
    """Return an HTTP error reply, optionally with a retry-after header."""
    headers = {} if retry_after is None else {"retry-after": f"{retry_after:g}"}
    return Reply(status=status, headers=headers, message=message)


@dataclass
class Recorded:
    """One request as the server saw it (auth redacted)."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def tool_name(self) -> str | None:
        """Return the name of the forced tool, if any."""
        choice = self.body.get("tool_choice") or {}
        return choice.get("name")

    @property
    def user_text(self) -> str:
        """Return all text of the user messages joined."""
        return "\n".join(_texts(m.get("content")) for m in self.body.get("messages", []))


Responder = Callable[[Recorded], "Reply | None"]


def _texts(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(str(b.get("text", "")) for b in content if isinstance(b, dict))
    return ""


def estimate_tokens(text: str) -> int:
    """Return the fake's deterministic token estimate for a piece of text."""
    return max(1, len(text) // 4)


def _pieces(body: dict[str, Any]) -> list[tuple[str, bool]]:
    """Return the prompt as (serialized piece, is a cache breakpoint) in cache order."""
    out: list[tuple[str, bool]] = []

    def add(block: Any) -> None:
        if isinstance(block, dict):
            marked = "cache_control" in block
            clean = {k: v for k, v in block.items() if k != "cache_control"}
            out.append((json.dumps(clean, sort_keys=True), marked))
        else:
            out.append((json.dumps(block, sort_keys=True), False))

    for t in body.get("tools") or []:
        add(t)
    system = body.get("system")
    for block in [{"type": "text", "text": system}] if isinstance(system, str) else system or []:
        add(block)
    for message in body.get("messages", []):
        content = message.get("content")
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content
        out.append((json.dumps({"role": message.get("role")}), False))
        for block in blocks or []:
            add(block)
    return out


class PrefixCache:
    """A prompt cache keyed by hashes of request prefixes, each kept for `ttl` seconds."""

    def __init__(self, ttl: float = 300.0, min_tokens: int = 1024, clock=time.monotonic):
        self.ttl, self.min_tokens, self.clock = ttl, min_tokens, clock
        self._expiry: dict[str, float] = {}
        self._lock = threading.Lock()

    def usage(self, body: dict[str, Any]) -> dict[str, int]:
        """Return input, cache-write and cache-read token counts, updating the cache."""
        digest = hashlib.sha256(str(body.get("model")).encode())
        total, breakpoints = 0, []
        for text, marked in _pieces(body):
            digest.update(text.encode())
            total += estimate_tokens(text)
            if marked:
                breakpoints.append((digest.copy().hexdigest(), total))
        now = self.clock()
        read = write = 0
        with self._lock:
            for key, tokens in breakpoints:
                if self._expiry.get(key, 0.0) > now:
                    read = tokens
                    self._expiry[key] = now + self.ttl
            if breakpoints and breakpoints[-1][1] > read and breakpoints[-1][1] >= self.min_tokens:
                key, tokens = breakpoints[-1]
                self._expiry[key] = now + self.ttl
                write = tokens - read
        return {
            "input_tokens": total - read - write,
            "cache_creation_input_tokens": write,
            "cache_read_input_tokens": read,
        }


class FakeClaude:
    """The server; use as a context manager or call `start()`/`stop()`."""

    def __init__(
        self,
        responder: Responder | None = None,
        *,
        latency: float = 0.0,
        cache_ttl: float = 300.0,
        min_cache_tokens: int = 1024,
        port: int = 0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.replies: deque[Reply] = deque()
        self.responder = responder
        self.latency = latency
        self.cache = PrefixCache(cache_ttl, min_cache_tokens, clock)
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        self._server = _QuietServer(("127.0.0.1", port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Return the base URL to hand to the client."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def push(self, *replies: Reply) -> None:
        """Queue replies for the next requests, in order."""
        self.replies.extend(replies)

    def start(self) -> FakeClaude:
        """Serve in a background thread."""
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeClaude:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def answer(self, recorded: Recorded) -> Reply:
        """Pick the reply for a request: queue, then responder, then an empty tool call."""
        with self._lock:
            self.requests.append(recorded)
            if self.replies:
                return self.replies.popleft()
        reply = self.responder(recorded) if self.responder else None
        return reply or Reply(tool_input={})

    def message(self, recorded: Recorded, reply: Reply) -> dict[str, Any]:
        """Build the Messages API body for a successful reply."""
        body = recorded.body
        content: list[dict[str, Any]] = []
        if reply.text is not None:
            content.append({"type": "text", "text": reply.text})
        if reply.tool_input is not None:
            name = reply.tool_name or recorded.tool_name or "tool"
            uid = hashlib.sha1(json.dumps(reply.tool_input).encode()).hexdigest()[:20]
            content.append(
                {"type": "tool_use", "id": f"toolu_{uid}", "name": name, "input": reply.tool_input}
            )
        usage = self.cache.usage(body)
        usage["output_tokens"] = estimate_tokens(json.dumps(content))
        stop = reply.stop_reason or ("tool_use" if reply.tool_input is not None else "end_turn")
        return {
            "id": f"msg_fake{len(self.requests):06d}",
            "type": "message",
            "role": "assistant",
            "model": body.get("model", "unknown"),
            "content": content,
            "stop_reason": stop,
            "stop_sequence": None,
            "usage": usage,
        }


class _QuietServer(ThreadingHTTPServer):
    """A threading server that does not print clients hanging up (timeouts do that)."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


def _handler_for(fake: FakeClaude) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
            data = payload if isinstance(payload, str) else json.dumps(payload)
            raw = data.encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(raw)))
            self.send_header("request-id", "req_fake")
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(raw)

        def _error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
            kind = ERROR_TYPES.get(status, "api_error")
            body = {"type": "error", "error": {"type": kind, "message": message}}
            self._send(status, body, headers)

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", 0))
            raw = self.rfile.read(length)
            if self.path.split("?")[0] != "/v1/messages":
                return self._error(404, f"no route {self.path}")
            if not self.headers.get("anthropic-version"):
                return self._error(400, "anthropic-version header is required")
            auth = self.headers.get("x-api-key") or self.headers.get("authorization", "")
            if not auth.removeprefix("Bearer ").strip():
                return self._error(401, "missing API key")
            try:
                body = json.loads(raw)
            except ValueError:
                return self._error(400, "body is not JSON")
            headers = {
                k.lower(): v
                for k, v in self.headers.items()
                if k.lower() not in ("x-api-key", "authorization")
            }
            recorded = Recorded(self.path, headers, body)
            reply = fake.answer(recorded)
            if fake.latency or reply.delay:
                time.sleep(fake.latency + reply.delay)
            if reply.raw_body is not None:
                return self._send(reply.status, reply.raw_body, reply.headers)
            if reply.status != 200:
                return self._error(reply.status, reply.message or "fake error", reply.headers)
            return self._send(200, fake.message(recorded, reply), reply.headers)

    return Handler


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


def main(argv: list[str] | None = None) -> None:
    """Run the fake as a process until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--script", default=os.environ.get("FAKE_CLAUDE_SCRIPT"))
    parser.add_argument("--heuristic", action="store_true", help="answer with the heuristics")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per reply")
    parser.add_argument("--min-cache-tokens", type=int, default=1024)
    args = parser.parse_args(argv)
    responder = heuristic_responder() if args.heuristic else None
    fake = FakeClaude(
        responder, latency=args.latency, port=args.port, min_cache_tokens=args.min_cache_tokens
    )
    if args.script:
        with open(args.script, encoding="utf-8") as handle:
            fake.push(*(Reply(**item) for item in json.load(handle)))
    print(f"fake claude listening on {fake.url}", flush=True)
    try:
        fake._server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        fake._server.server_close()


if __name__ == "__main__":
    main()
