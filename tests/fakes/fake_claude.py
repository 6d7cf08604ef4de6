"""A fake Claude: a real HTTP server on 127.0.0.1 that keeps the documented API contract.

The real `anthropic` SDK talks to it, so tests exercise the SDK's request building,
response parsing and error classes. Every request is first checked against the rules
of the Claude API docs (`rules`, from the per-model table in `contract`); a rejected
request gets the documented status, error type and message, is recorded in `requests`
and `rejections`, and consumes no scripted reply. A valid one is answered, in order of
precedence, from a queue of scripted `Reply`s, a responder callback, or an empty
structured answer, rendered in the shape the request asked for (`replies`). Usage comes
from a real prefix cache (`prompt_cache`); thinking costs output tokens by effort, and
can add simulated latency. `count_tokens`, the Models API and Message Batches
(`batches`) are served too.

Run it as a process for end-to-end tests and benchmarks:
    python -m tests.fakes.fake_claude --port 8765 [--script replies.json] [--heuristic]
The script is a JSON list of `Reply` field dicts; `FAKE_CLAUDE_SCRIPT` works too.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.fakes import contract, rules, streaming
from tests.fakes.batches import FakeBatches, error_body, page
from tests.fakes.heuristics import HEURISTIC_PHRASES, Responder, heuristic_responder
from tests.fakes.prompt_cache import PrefixCache, blocks, diagnose, estimate_tokens, fingerprint
from tests.fakes.replies import (
    THINKING_TOKENS,
    Recorded,
    Reply,
    error,
    refusal,
    render,
    thinking_cost,
    tool,
    truncated,
)

__all__ = [
    "HEURISTIC_PHRASES",
    "FakeClaude",
    "Recorded",
    "Reply",
    "error",
    "estimate_tokens",
    "heuristic_responder",
    "refusal",
    "tool",
    "truncated",
]

# ERRORS: HTTP status -> error type.
ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}


class FakeClaude:
    """The server; use as a context manager or call `start()`/`stop()`."""

    def __init__(
        self,
        responder: Responder | None = None,
        *,
        latency: float = 0.0,
        cache_ttl: float = 300.0,
        min_cache_tokens: int | None = None,
        port: int = 0,
        clock: Callable[[], float] = time.monotonic,
        thinking_tokens: dict[str, int] | None = None,
        thinking_latency: float = 0.0,
        models: dict[str, contract.ModelContract] | None = None,
        capabilities: dict[str, dict[str, Any]] | None = None,
        batch_polls: int | None = 2,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.replies: deque[Reply] = deque()
        self.responder = responder
        self.latency = latency
        self.min_cache_tokens = min_cache_tokens
        self.thinking_tokens = {**THINKING_TOKENS, **(thinking_tokens or {})}
        self.thinking_latency = thinking_latency  # seconds per thinking token
        self.sleep = sleep  # how the server waits out a reply's latency
        self.simulated: dict[str, float] = {}  # message id -> its simulated latency
        self.catalogue = contract.Catalogue(models, capabilities)
        self.cache = PrefixCache(cache_ttl, clock)
        self.requests: list[Recorded] = []
        self.rejections: list[tuple[Recorded, int, str]] = []
        self.calls: list[tuple[str, str]] = []  # (method, path) of every HTTP request
        self.batches = FakeBatches(self._batch_item, lambda: self.url, clock, batch_polls)
        self._fingerprints: dict[str, tuple[dict[str, Any], int]] = {}
        self._lock = threading.Lock()
        self._ids = 0
        self._server = _QuietServer(("127.0.0.1", port), _handler_for(self))
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Return the base URL to hand to the client."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def push(self, *replies: Reply) -> None:
        """Queue replies for the next valid requests, in order."""
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

    def next_id(self, prefix: str) -> str:
        """Return a fresh object id."""
        with self._lock:
            self._ids += 1
            return f"{prefix}_fake{self._ids:06d}"

    def check(self, recorded: Recorded, version: str, **kind: bool) -> rules.Rejection | rules.Plan:
        """Validate a request, recording it as a rejection if it fails."""
        outcome = rules.validate(recorded.body, version=version, catalogue=self.catalogue, **kind)
        if isinstance(outcome, rules.Rejection):
            with self._lock:
                self.rejections.append((recorded, outcome.status, outcome.message))
        return outcome

    def answer(self, recorded: Recorded) -> Reply:
        """Pick the reply for a valid request: queue, then responder, then `{}`."""
        with self._lock:
            if self.replies:
                return self.replies.popleft()
        reply = self.responder(recorded) if self.responder else None
        return reply or Reply(tool_input={})

    def message(
        self, recorded: Recorded, plan: rules.Plan, reply: Reply, tier: str = "standard"
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        """Build the Message body and the cache writes to commit when it is sent."""
        body = recorded.body
        minimum = self.min_cache_tokens
        minimum = plan.model.min_cache_tokens if minimum is None else minimum
        view = plan.cache_view(body)
        lookup = self.cache.lookup(view, minimum)
        message_id = self.next_id("msg")
        thinking = thinking_cost(plan, reply, self.thinking_tokens)
        shaped = render(recorded, plan, reply, thinking, message_id)
        used = min(thinking, plan.max_tokens)
        recorded.thinking_tokens = used
        recorded.latency = self.latency + reply.delay + used * self.thinking_latency
        self.simulated[message_id] = recorded.latency
        usage = lookup.usage()
        usage.update(
            output_tokens=shaped["output"],
            output_tokens_details={"thinking_tokens": used},
            service_tier=tier,
        )
        return {
            "id": message_id,
            "type": "message",
            "role": "assistant",
            "model": body.get("model"),
            "content": shaped["content"],
            "stop_reason": shaped["stop_reason"],
            "stop_sequence": None,
            "stop_details": shaped["stop_details"],
            "usage": usage,
            "diagnostics": self._diagnose(view, message_id, lookup.read + lookup.write),
        }, lookup.pending

    def _diagnose(self, view: dict[str, Any], message_id: str, cached: int) -> Any:
        """Remember this request and compare it with `diagnostics.previous_message_id`."""
        current = fingerprint(view)
        with self._lock:
            self._fingerprints[message_id] = (current, cached)
        asked = view.get("diagnostics")
        if not isinstance(asked, dict) or asked.get("previous_message_id") is None:
            return None  # CACHE_DIAGNOSTICS: null opts in on a first turn
        previous, missed = self._fingerprints.get(asked["previous_message_id"], (None, 0))
        return diagnose(previous, current, missed)

    def count(self, body: dict[str, Any]) -> dict[str, int]:
        """Return `{"input_tokens": N}` for a valid count_tokens body (TOKEN_COUNTING)."""
        return {"input_tokens": sum(b.tokens for b in blocks(body))}

    def _batch_item(self, params: dict[str, Any], cid: str, batch_id: str, version: str) -> Any:
        """Answer one batch request with the reply machinery (BATCHES)."""
        path = f"/v1/messages/batches/{batch_id}"
        recorded = Recorded(path, {}, params, custom_id=cid, batch_id=batch_id)
        with self._lock:
            self.requests.append(recorded)
        plan = self.check(recorded, version)
        if isinstance(plan, rules.Rejection):  # BATCHES: validated asynchronously
            return {"type": "errored", "error": error_body(plan.kind, plan.message)}
        reply = self.answer(recorded)
        if reply.status != 200:
            kind = ERROR_TYPES.get(reply.status, "api_error")
            return {"type": "errored", "error": error_body(kind, reply.message or "fake error")}
        message, pending = self.message(recorded, plan, reply, tier="batch")
        self.cache.commit(pending)
        return {"type": "succeeded", "message": message}

    def models_page(self, query: dict[str, str]) -> dict[str, Any]:
        """Return GET /v1/models (MODELS_API), newest first."""
        models = sorted(self.catalogue.models.values(), key=lambda m: m.created_at, reverse=True)
        return page([self.model_info(m) for m in models], query)

    def model_info(self, model: contract.ModelContract) -> dict[str, Any]:
        """Return one ModelInfo, with any capability overrides applied."""
        return contract.model_info(model, self.catalogue.capabilities(model))


class _QuietServer(ThreadingHTTPServer):
    """A threading server that does not print clients hanging up (timeouts do that)."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


def _handler_for(fake: FakeClaude) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        request_id = "req_fake"

        def log_message(self, *args: object) -> None:
            pass

        def _send(
            self,
            status: int,
            payload: Any,
            headers: dict[str, str] | None = None,
            content_type: str = "application/json",
        ) -> None:
            data = payload if isinstance(payload, (str, bytes)) else json.dumps(payload)
            raw = data if isinstance(data, bytes) else data.encode()
            self.send_response(status)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(raw)))
            self.send_header("request-id", self.request_id)  # RATE_LIMITS: on every response
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(raw)

        def _error(self, status: int, message: str, headers: dict[str, str] | None = None,
                   kind: str | None = None) -> None:  # fmt: skip
            kind = kind or ERROR_TYPES.get(status, "api_error")
            self._send(status, error_body(kind, message, self.request_id), headers)

        def _guarded(self, handle: Callable[[], None]) -> None:
            """Answer a bug in the fake with a 500 naming it, not a dropped connection."""
            try:
                handle()
            except (BrokenPipeError, ConnectionResetError):
                raise
            except Exception as exc:
                traceback.print_exc()
                self._error(500, f"fake Claude failed: {exc!r}")

        def _begin(self, method: str) -> tuple[str, dict[str, str], bytes] | None:
            self.request_id = fake.next_id("req")
            parts = urlsplit(self.path)
            fake.calls.append((method, parts.path))
            length = int(self.headers.get("content-length", 0))
            raw = self.rfile.read(length) if length else b""
            # VERSIONING: the anthropic-version header is required on every request.
            version = self.headers.get("anthropic-version")
            if not version:
                self._error(400, "anthropic-version: header is required")
                return None
            if version not in contract.API_VERSIONS:
                self._error(400, f"anthropic-version: {version!r} is not a valid version")
                return None
            auth = self.headers.get("x-api-key") or self.headers.get("authorization", "")
            if not auth.removeprefix("Bearer ").strip():
                self._error(401, "x-api-key or Authorization header is required")
                return None
            return parts.path, dict(parse_qsl(parts.query)), raw

        def _recorded(self, path: str, raw: bytes) -> Recorded | None:
            headers = {
                k.lower(): v
                for k, v in self.headers.items()
                if k.lower() not in ("x-api-key", "authorization")
            }
            try:
                body = json.loads(raw or b"null")
            except ValueError:
                self._error(400, "The request body is not valid JSON")
                return None
            return Recorded(path, headers, body)

        def do_GET(self) -> None:
            self._guarded(self._get)

        def _get(self) -> None:
            begun = self._begin("GET")
            if begun is None:
                return
            path, query, _ = begun
            parts = path.strip("/").split("/")
            if parts[:2] == ["v1", "models"] and len(parts) <= 3:
                if len(parts) == 2:
                    return self._send(200, fake.models_page(query))
                model = fake.catalogue.resolve(parts[2])
                if model is None:
                    return self._error(404, f"model: {parts[2]}")
                return self._send(200, fake.model_info(model))
            if parts[:3] == ["v1", "messages", "batches"]:
                if len(parts) == 3:
                    return self._send(*fake.batches.listing(query))
                if len(parts) == 5 and parts[4] == "results":
                    status, payload = fake.batches.results(parts[3])
                    kind = "application/x-jsonl" if status == 200 else "application/json"
                    return self._send(status, payload, content_type=kind)
                if len(parts) == 4:
                    return self._send(*fake.batches.retrieve(parts[3]))
            return self._error(404, f"no route GET {path}")

        def do_DELETE(self) -> None:
            self._guarded(self._delete)

        def _delete(self) -> None:
            begun = self._begin("DELETE")
            if begun is None:
                return
            parts = begun[0].strip("/").split("/")
            if parts[:3] == ["v1", "messages", "batches"] and len(parts) == 4:
                return self._send(*fake.batches.delete(parts[3]))
            return self._error(404, f"no route DELETE {begun[0]}")

        def do_POST(self) -> None:
            self._guarded(self._post)

        def _post(self) -> None:
            begun = self._begin("POST")
            if begun is None:
                return
            path, query, raw = begun
            version = self.headers["anthropic-version"]
            parts = path.strip("/").split("/")
            if parts[:3] == ["v1", "messages", "batches"]:
                if len(parts) == 3:
                    recorded = self._recorded(path, raw)
                    if recorded is not None:
                        self._send(*fake.batches.create(raw, recorded.body, version))
                    return None
                if len(parts) == 5 and parts[4] == "cancel":
                    return self._send(*fake.batches.cancel(parts[3]))
            if path == "/v1/messages/count_tokens":
                return self._count_tokens(path, raw, version, query)
            if path == "/v1/messages":
                return self._messages(path, raw, version, query)
            return self._error(404, f"no route POST {path}")

        def _count_tokens(self, path: str, raw: bytes, version: str, query: dict) -> None:
            recorded = self._recorded(path, raw)
            if recorded is None:
                return
            # TOKEN_COUNTING: the same checks as messages (forced tool choice, sampling).
            plan = fake.check(recorded, version, count_tokens=True, beta="beta" in query)
            if isinstance(plan, rules.Rejection):
                return self._error(plan.status, plan.message, kind=plan.kind)
            return self._send(200, fake.count(recorded.body))

        def _messages(self, path: str, raw: bytes, version: str, query: dict) -> None:
            recorded = self._recorded(path, raw)
            if recorded is None:
                return
            with fake._lock:
                fake.requests.append(recorded)
            plan = fake.check(recorded, version, beta="beta" in query)
            if isinstance(plan, rules.Rejection):
                return self._error(plan.status, plan.message, kind=plan.kind)
            reply = fake.answer(recorded)
            if reply.status != 200 or reply.raw_body is not None:
                if fake.latency or reply.delay:
                    fake.sleep(fake.latency + reply.delay)
                if reply.raw_body is not None:
                    return self._send(reply.status, reply.raw_body, reply.headers)
                return self._error(reply.status, reply.message or "fake error", reply.headers)
            message, pending = fake.message(recorded, plan, reply)
            if recorded.latency:
                fake.sleep(recorded.latency)
            fake.cache.commit(pending)  # PROMPT_CACHING: readable once the response begins
            if recorded.body.get("stream"):
                events = streaming.encode(streaming.events(message))
                return self._send(200, events, reply.headers, "text/event-stream")
            return self._send(200, message, reply.headers)

    return Handler


def main(argv: list[str] | None = None) -> None:
    """Run the fake as a process until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--script", default=os.environ.get("FAKE_CLAUDE_SCRIPT"))
    parser.add_argument("--heuristic", action="store_true", help="answer with the heuristics")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per reply")
    parser.add_argument(
        "--min-cache-tokens", type=int, default=None, help="override every model's minimum"
    )
    parser.add_argument(
        "--thinking-latency", type=float, default=0.0, help="seconds per thinking token"
    )
    args = parser.parse_args(argv)
    responder = heuristic_responder() if args.heuristic else None
    fake = FakeClaude(
        responder,
        latency=args.latency,
        port=args.port,
        min_cache_tokens=args.min_cache_tokens,
        thinking_latency=args.thinking_latency,
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
