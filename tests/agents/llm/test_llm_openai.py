"""The OpenAI-compatible backend against a stub server on 127.0.0.1 (never another address)."""

from __future__ import annotations

import http.server
import json
import socket
import threading
import time

import pytest

from agents.llm import model, openai_compat

OPTIONS = ("collect wood", "place table", "make wood pickaxe")


class Stub:
    """What the stub answers next; tests set `mode` and read what was posted."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.reply = '{"choice": "place table"}'
        self.posted: list[dict] = []


def _handler(stub: Stub):
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            stub.posted.append(body)
            if self.path != "/v1/chat/completions":
                return self._send(404, b"not found")
            if stub.mode == "slow":
                time.sleep(1.0)
            if stub.mode == "no-schema" and "response_format" in body:
                return self._send(400, b'{"error": "response_format is not supported"}')
            if stub.mode == "bad-json":
                return self._send(200, b"<html>proxy error</html>")
            if stub.mode == "500":
                return self._send(500, b"internal error\nstack trace")
            prompt = body["messages"][0]["content"]
            content = stub.reply if stub.mode != "echo" else prompt.upper()
            reply = {
                "choices": [{"message": {"content": content}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": len(prompt.split()), "completion_tokens": 7},
            }
            return self._send(200, json.dumps(reply).encode())

        def _send(self, code, data):
            try:
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client timed out first

    return Handler


@pytest.fixture
def server():
    stub = Stub()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(stub))
    httpd.block_on_close = False  # do not wait for a deliberately slow handler
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    stub.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield stub
    httpd.shutdown()
    httpd.server_close()


def _model(server, **kwargs):
    kwargs.setdefault("cache", None)
    return openai_compat.OpenAICompatibleModel(server.url, "stub", timeout=5.0, **kwargs)


def test_choose_asks_for_a_json_schema_and_reads_the_choice(server):
    lm = _model(server)
    requests = [model.ChoiceRequest("what next?", OPTIONS)] * 3
    choices = lm.choose(requests)
    assert [c.option for c in choices] == ["place table"] * 3
    assert choices[0].scores == (0.0, 1.0, 0.0) and choices[0].valid
    schema = server.posted[0]["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["choice"]["enum"] == list(OPTIONS)
    assert server.posted[0]["temperature"] == 0.0
    usage = lm.usage
    assert (usage.calls, usage.batches, usage.valid, usage.completion_tokens) == (3, 1, 3, 21)


def test_server_without_structured_output_gets_plain_text(server):
    server.mode = "no-schema"
    server.reply = "I would say: make wood pickaxe."
    lm = _model(server)
    assert lm.choose_one("what next?", OPTIONS).option == "make wood pickaxe"
    assert not lm.json_schema
    assert "response_format" not in server.posted[-1]


def test_out_of_menu_reply_is_a_counted_fallback(server):
    server.reply = '{"choice": "collect diamond"}'
    lm = _model(server)
    choice = lm.choose([model.ChoiceRequest("p", OPTIONS, default=2)])[0]
    assert not choice.valid and choice.index == 2 and "diamond" in choice.raw
    assert lm.usage.fallbacks == 1


def test_timeout_is_a_fallback_for_choose_and_an_error_for_generate(server):
    server.mode = "slow"
    lm = openai_compat.OpenAICompatibleModel(server.url, "stub", timeout=0.2, cache=None)
    choice = lm.choose_one("p", OPTIONS)
    assert not choice.valid and "did not answer within 0.2 s" in choice.raw
    with pytest.raises(model.ModelTimeoutError, match="did not answer"):
        lm.generate(["p"], max_new_tokens=4)
    assert lm.usage.fallbacks == 1 and lm.usage.batches == 2


def test_bad_json_body(server):
    server.mode = "bad-json"
    lm = _model(server)
    assert not lm.choose_one("p", OPTIONS).valid
    with pytest.raises(model.ModelError, match="not an OpenAI chat completion"):
        lm.generate(["p"], max_new_tokens=4)


def test_http_error_is_one_line(server):
    server.mode = "500"
    with pytest.raises(model.ModelError, match="HTTP 500: internal error$"):
        _model(server).generate(["p"], max_new_tokens=4)


def test_connection_refused_says_what_to_do():
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    lm = openai_compat.OpenAICompatibleModel(f"http://127.0.0.1:{port}", "x", cache=None)
    with pytest.raises(model.ModelUnavailableError, match="start the server"):
        lm.choose_one("p", OPTIONS)


def test_generate_batch_stop_and_cache(server, tmp_path):
    server.mode = "echo"
    lm = _model(server, cache=tmp_path / "calls.sqlite")
    out = lm.generate(["a b STOP c", "d"], max_new_tokens=8, stop=["STOP"])
    assert [c.text for c in out] == ["A B ", "D"]
    assert server.posted[0]["stop"] == ["STOP"] and server.posted[0]["max_tokens"] == 8
    again = lm.generate(["a b STOP c"], max_new_tokens=8, stop=["STOP"])
    assert again[0].cached and again[0].text == "A B "
    usage = lm.usage
    assert (usage.cache_misses, usage.cache_hits, usage.prompt_tokens) == (2, 1, 5)
    assert len(server.posted) == 2
