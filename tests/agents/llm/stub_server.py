"""A loopback stub of an OpenAI-compatible server (vLLM-like) for the backend's tests.

`StubServer` is an `http.server` in a daemon thread on 127.0.0.1, port 0 (never another address). It
serves `/v1/models`, `/v1/completions` with prompt log-probabilities (`echo`, `logprobs`) and
`/v1/chat/completions` with a JSON reply. Log-probs are fake but deterministic: the text is cut into
tokens by `tokens` (a word with its leading whitespace) and each token's log-prob is `fake_logprob`
of the text before it, so a test computes the expected choice itself. `mode` switches the answers
to a failure: "500", "flaky" (`fail_times` 503s, then normal), "404" (every POST), "trickle" (one
byte every `trickle_s`), "no-schema" (400 on `response_format`), "no-logprobs", "bad-json". The
server shuts itself down after `lifetime_s`, and a trickle stops after `trickle_bytes`.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import re
import socket
import threading
import time
from typing import Any

_TOKEN = re.compile(r"\s*\S+|\s+$")


def tokens(text: str) -> list[tuple[int, str]]:
    """`(offset, token)` for each fake token of `text`: a word with the whitespace before it."""
    return [(m.start(), m.group()) for m in _TOKEN.finditer(text)]


def fake_logprob(context: str, token: str) -> float:
    """A deterministic log-prob in (-10, 0) of `token` after `context` (its last 40 characters)."""
    digest = hashlib.sha256((context[-40:] + "\x00" + token).encode()).digest()
    return -(int.from_bytes(digest[:4], "big") % 10_000) / 1000.0 - 0.001


def option_logprob(prompt: str, option: str) -> tuple[float, int]:
    """What the stub gives an option after `prompt`: the summed log-prob and the token count,
    computed the way the backend reads it (separating space, tokens from the prompt's end on)."""
    sep = "" if not prompt or prompt[-1].isspace() else " "
    text = prompt + sep + option
    # every token that covers some of the option's text (one may straddle the prompt's end)
    values = [fake_logprob(text[:o], t) for o, t in tokens(text) if o + len(t) > len(prompt)]
    return sum(values), len(values)


def dead_url() -> str:
    """A loopback URL nobody listens on (a port bound and released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


class StubServer:
    """The stub; use as a context manager. Tests set `mode`, `reply`, `models`, and read `posted`
    and `headers` (what each request carried)."""

    def __init__(self, *, lifetime_s: float = 60.0) -> None:
        self.mode = "ok"
        self.reply = '{"choice": "place table"}'
        self.models: list[dict[str, Any]] = [{"id": "stub", "root": "/weights/stub-rev1"}]
        self.fail_times = 2
        self.fail_after = 3  # mode "die-after": requests served before every answer is a 500
        self.trickle_s = 2.0
        self.trickle_bytes = 30
        self.posted: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.failures = 0
        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False  # never wait for a deliberately slow handler
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._timer = threading.Timer(lifetime_s, self.stop)
        self._timer.daemon = True
        self._stopped = threading.Event()

    def __enter__(self) -> StubServer:
        self._thread.start()
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        if self._stopped.is_set():
            return
        self._stopped.set()
        self._timer.cancel()
        self._httpd.shutdown()
        self._httpd.server_close()

    # -- answers ----------------------------------------------------------------------------------

    def completions(self, body: dict[str, Any]) -> dict[str, Any]:
        prompts = body["prompt"] if isinstance(body["prompt"], list) else [body["prompt"]]
        choices = []
        for index, prompt in enumerate(prompts):
            text = prompt + " ok"  # the one generated token
            toks = tokens(text)
            logprobs = [None] + [fake_logprob(text[:o], t) for o, t in toks[1:]]
            choices.append(
                {
                    "index": index,
                    "text": text if body.get("echo") else " ok",
                    "finish_reason": "length",
                    "logprobs": {
                        "tokens": [t for _, t in toks],
                        "token_logprobs": logprobs,
                        "text_offset": [o for o, _ in toks],
                        "top_logprobs": None,
                    }
                    if self.mode != "no-logprobs"
                    else None,
                }
            )
        return {"object": "text_completion", "model": body.get("model"), "choices": choices}

    def chat(self, body: dict[str, Any]) -> dict[str, Any]:
        prompt = body["messages"][0]["content"]
        content = prompt.upper() if self.mode == "echo" else self.reply
        return {
            "choices": [{"message": {"content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": len(prompt.split()), "completion_tokens": 7},
        }


def _handler(stub: StubServer):
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            stub.headers.append(dict(self.headers))
            if self.path != "/v1/models":
                return self._send(404, {"error": "not found"})
            data = [{"object": "model", **entry} for entry in stub.models]
            return self._send(200, {"object": "list", "data": data})

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            stub.posted.append(body)
            stub.headers.append(dict(self.headers))
            served = {entry["id"] for entry in stub.models}
            if stub.mode == "500" or (
                stub.mode == "die-after" and len(stub.posted) > stub.fail_after
            ):
                return self._send(500, b"internal error\nstack trace")
            if stub.mode == "flaky" and stub.failures < stub.fail_times:
                stub.failures += 1
                return self._send(503, b"overloaded")
            if stub.mode == "404" or body.get("model") not in served:
                return self._send(404, {"error": f"The model `{body.get('model')}` does not exist"})
            if stub.mode == "trickle":
                return self._trickle()
            if stub.mode == "bad-json":
                return self._send(200, b"<html>proxy error</html>")
            if self.path == "/v1/completions":
                return self._send(200, stub.completions(body))
            if self.path == "/v1/chat/completions":
                if stub.mode == "no-schema" and "response_format" in body:
                    return self._send(400, {"error": "response_format is not supported"})
                return self._send(200, stub.chat(body))
            return self._send(404, {"error": "not found"})

        def _trickle(self) -> None:
            try:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(10_000))
                self.end_headers()
                for _ in range(stub.trickle_bytes):
                    if stub._stopped.is_set():
                        return
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(stub.trickle_s)
            except OSError:
                pass  # the client gave up: what a deadline is for

        def _send(self, code: int, data: bytes | dict[str, Any]) -> None:
            raw = data if isinstance(data, bytes) else json.dumps(data).encode()
            try:
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)
            except OSError:
                pass  # the client timed out first

    return Handler
