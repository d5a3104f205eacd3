"""`OpenAICompatibleModel`: the `LanguageModel` contract over HTTP to an OpenAI chat API server.

vLLM, llama.cpp's server and Ollama all speak `/v1/chat/completions`; pointing the benchmark at one
is how inference scales beyond one process. Only the standard library is used. A batch is sent as
concurrent requests (the server batches them). `choose` asks for `{"choice": "<option>"}`,
constrained by a JSON schema where the server accepts `response_format`, and reads the reply with
the shared `parse_choice`; a reply naming no option, a timeout or a non-JSON body becomes a counted
fallback, while an unreachable server is a `ModelUnavailableError` (nothing to fall back on).
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Any

from agents.llm import cache as cache_lib
from agents.llm import model, parsing

CHOICE_INSTRUCTION = (
    '\n\nAnswer with a JSON object {{"choice": "<option>"}} where <option> is exactly one of:\n'
    "{menu}"
)


def _base(url: str) -> str:
    url = url.rstrip("/")
    return url if url.endswith("/v1") else url + "/v1"


class OpenAICompatibleModel(model.LanguageModel):
    """A model served at `base_url` (e.g. `http://127.0.0.1:8000/v1`) under the name `model`."""

    def __init__(
        self,
        base_url: str,
        model_name: str,
        *,
        api_key: str | None = None,
        timeout: float = 60.0,
        json_schema: bool = True,
        max_workers: int = 8,
        max_choice_tokens: int = 32,
        cache: cache_lib.CallCache | str | os.PathLike[str] | None = cache_lib.DEFAULT,
    ) -> None:
        super().__init__()
        self.base_url = _base(base_url)
        self.model_name = model_name
        self.timeout = timeout
        self.json_schema = json_schema  # switched off for good when the server rejects it
        self.max_workers = max(1, max_workers)
        self.max_choice_tokens = max_choice_tokens
        self._api_key = api_key
        self.cache = cache_lib.open_cache(cache)

    @property
    def model_id(self) -> str:
        return f"{self.model_name}@{self.base_url}"

    def close(self) -> None:
        if self.cache is not None:
            self.cache.close()
            self.cache = None

    # -- HTTP -------------------------------------------------------------------------------------

    def _post(self, payload: dict[str, Any]) -> dict[str, Any]:
        url = f"{self.base_url}/chat/completions"
        headers = {"Content-Type": "application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        request = urllib.request.Request(
            url, data=json.dumps(payload).encode(), headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = response.read()
        except urllib.error.HTTPError as error:
            detail = error.read().decode(errors="replace").strip().splitlines()
            raise _HTTPStatusError(
                error.code, f"{url} answered HTTP {error.code}: {(detail or [''])[0][:200]}"
            ) from None
        except TimeoutError:
            raise model.ModelTimeoutError(
                f"{url} did not answer within {self.timeout:g} s; raise the timeout or check"
                " the server's load"
            ) from None
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError):
                raise model.ModelTimeoutError(
                    f"{url} did not answer within {self.timeout:g} s; raise the timeout or"
                    " check the server's load"
                ) from None
            raise model.ModelUnavailableError(
                f"cannot reach {url} ({error.reason}); start the server or fix the model URL"
            ) from None
        try:
            data = json.loads(body)
            message = data["choices"][0]["message"]
            _ = message["content"]
        except (json.JSONDecodeError, KeyError, IndexError, TypeError):
            raise BadReplyError(
                f"{url} returned a reply that is not an OpenAI chat completion: {body[:80]!r}"
            ) from None
        return data

    def _chat(self, prompt: str, max_tokens: int, **extra: Any) -> dict[str, Any]:
        payload = {
            "model": self.model_name,
            "messages": [{"role": "user", "content": prompt}],
            "max_tokens": max_tokens,
            "temperature": 0.0,
            **extra,
        }
        return self._post(payload)

    def _map(self, function, items: Sequence[Any]) -> list[Any]:
        """`function` over `items` concurrently, so the server sees the whole batch at once."""
        if len(items) <= 1:
            return [function(item) for item in items]
        with concurrent.futures.ThreadPoolExecutor(min(self.max_workers, len(items))) as pool:
            return list(pool.map(function, items))

    def _key(self, kind: str, params: dict[str, Any], prompt: str, options: Sequence[str] = ()):
        return cache_lib.make_key(
            model_id=self.model_id,
            revision="server",
            dtype="server",
            kind=kind,
            params=params,
            prompt=prompt,
            options=options,
        )

    # -- generate ---------------------------------------------------------------------------------

    def generate(
        self, prompts: Sequence[str], *, max_new_tokens: int, stop: Sequence[str] = ()
    ) -> list[model.Completion]:
        """Greedy (temperature 0) chat completions; HTTP failures raise a `ModelError`."""
        start = time.perf_counter()
        params = {"max_new_tokens": max_new_tokens, "stop": list(stop)}

        def one(prompt: str) -> tuple[model.Completion, bool]:
            key = self._key("generate", params, prompt)
            if self.cache is not None and (hit := self.cache.get(key)) is not None:
                return model.Completion(**{**hit, "cached": True}), True
            extra = {"stop": list(stop)} if stop else {}
            data = self._chat(prompt, max_new_tokens, **extra)
            text, _ = model.cut_at_stop(data["choices"][0]["message"]["content"] or "", stop)
            usage = data.get("usage") or {}
            reason = data["choices"][0].get("finish_reason")
            completion = model.Completion(
                text,
                int(usage.get("prompt_tokens", len(prompt.split()))),
                int(usage.get("completion_tokens", len(text.split()))),
                "length" if reason == "length" else "stop",
            )
            if self.cache is not None:
                self.cache.put(key, completion.to_dict())
            return completion, False

        try:
            results = self._map(one, prompts)
        finally:
            self.meter.add(batches=1, latency_s=time.perf_counter() - start)
        fresh = [c for c, cached in results if not cached]
        hits = len(results) - len(fresh)
        self.meter.add(
            calls=len(results),
            prompt_tokens=sum(c.prompt_tokens for c in fresh),
            completion_tokens=sum(c.completion_tokens for c in fresh),
            cache_hits=hits if self.cache is not None else 0,
            cache_misses=len(fresh) if self.cache is not None else 0,
        )
        return [c for c, _ in results]

    # -- choose -----------------------------------------------------------------------------------

    def _ask_choice(self, request: model.ChoiceRequest) -> dict[str, Any]:
        menu = "\n".join(f"- {option}" for option in request.options)
        prompt = request.prompt + CHOICE_INSTRUCTION.format(menu=menu)
        if self.json_schema:
            schema = {
                "type": "object",
                "properties": {"choice": {"type": "string", "enum": list(request.options)}},
                "required": ["choice"],
                "additionalProperties": False,
            }
            response_format = {
                "type": "json_schema",
                "json_schema": {"name": "choice", "strict": True, "schema": schema},
            }
            try:
                return self._chat(prompt, self.max_choice_tokens, response_format=response_format)
            except _HTTPStatusError as error:
                # Servers without structured output reject the field with a 400/422: ask plainly.
                if error.status not in (400, 422):
                    raise
                self.json_schema = False
        return self._chat(prompt, self.max_choice_tokens)

    def choose(self, requests: Sequence[model.ChoiceRequest]) -> list[model.Choice]:
        """One reply per request, read with `parse_choice`; unreadable replies are fallbacks."""
        start = time.perf_counter()

        def one(request: model.ChoiceRequest) -> tuple[model.Choice, int, int, bool]:
            key = self._key("choose", {"schema": self.json_schema}, request.prompt, request.options)
            if self.cache is not None and (hit := self.cache.get(key)) is not None:
                return model.Choice.from_dict({**hit, "cached": True}), 0, 0, True
            try:
                data = self._ask_choice(request)
            except (model.ModelTimeoutError, BadReplyError) as error:
                return model.fallback_choice(request, raw=str(error)), 0, 0, False
            raw = data["choices"][0]["message"]["content"] or ""
            usage = data.get("usage") or {}
            index = parsing.parse_choice(raw, request.options)
            if index is None:
                choice = model.fallback_choice(request, raw)
            else:
                choice = model.one_hot_choice(request, index, raw)
                if self.cache is not None:
                    self.cache.put(key, choice.to_dict())
            prompt_tokens = int(usage.get("prompt_tokens", len(request.prompt.split())))
            completion_tokens = int(usage.get("completion_tokens", len(raw.split())))
            return choice, prompt_tokens, completion_tokens, False

        try:
            results = self._map(one, requests)
        finally:
            self.meter.add(batches=1, latency_s=time.perf_counter() - start)
        choices = [r[0] for r in results]
        hits = sum(r[3] for r in results)
        valid = sum(c.valid for c in choices)
        self.meter.add(
            calls=len(choices),
            prompt_tokens=sum(r[1] for r in results),
            completion_tokens=sum(r[2] for r in results),
            valid=valid,
            fallbacks=len(choices) - valid,
            cache_hits=hits if self.cache is not None else 0,
            cache_misses=len(choices) - hits if self.cache is not None else 0,
        )
        return choices


class BadReplyError(model.ModelError):
    """The server answered, but not with a chat completion (e.g. a proxy's HTML page)."""


class _HTTPStatusError(model.ModelError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
