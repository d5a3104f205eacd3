"""`OpenAICompatibleModel`: the `LanguageModel` contract over HTTP to an OpenAI-compatible server.

vLLM, llama.cpp's server and Ollama speak the OpenAI API; pointing the benchmark at one is how
inference scales beyond one process. Only the standard library is used.

`choose` decides by the same rule as local weights (`hf.HFModel`): every option is scored by the
log-probabilities the model gives its tokens after the prompt, read from `/v1/completions` with
`echo: true, logprobs: 1` (prompt log-probs, as vLLM serves them), summed, averaged per token, or
calibrated (`"pmi"`: minus the same option's log-prob after `request.neutral_prompt`). A server
without prompt log-probs is asked through `/v1/chat/completions` for `{"choice": "<option>"}`,
constrained by a JSON schema where it accepts `response_format`. What a server serves (model id,
its `root`/revision, log-probs, structured output) is detected once and is part of every call-cache
key, so a different model behind the same URL never replays old answers.

Failures are loud: transient errors (refused connection, HTTP 429/500/502/503/504) are retried a
bounded number of times with exponential backoff, then raise a one-line `ModelUnavailableError`;
each request has a total deadline (`timeout_s`), not a per-read one; HTTP 404 is a
`ModelNotFoundError` listing the served models. A reply that names no menu option stays a counted
fallback. The API key comes from `OPENAI_API_KEY` (sent as `Authorization: Bearer`) and, like
credentials written into the URL, never reaches a record, a cache key, a log or an error message.
The HTTP exchange and its retry and deadline rules are `agents.llm.http_client`.
"""

from __future__ import annotations

import concurrent.futures
import os
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

from agents.llm import cache as cache_lib
from agents.llm import http_client, model, parsing

API_KEY_ENV = "OPENAI_API_KEY"
"""The environment variable the API key is read from (the name OpenAI's own clients use)."""
CHOOSE_MODES = ("auto", "score", "generate")
OPTION_SCORES = ("sum", "mean", "pmi")
CHOICE_INSTRUCTION = (
    '\n\nAnswer with a JSON object {{"choice": "<option>"}} where <option> is exactly one of:\n'
    "{menu}"
)


class OpenAICompatibleModel(model.LanguageModel):
    """A model served at `base_url` (e.g. `http://127.0.0.1:8000/v1`) under the name `model_name`
    (`"default"`: the one model the server serves)."""

    def describe(self) -> dict[str, Any]:
        """What a record says about a server model: never the key, never URL credentials."""
        served = self.capabilities()
        return {
            "backend": "openai",
            "model_id": self.model_id,
            "base_url": self.base_url,
            "served_model": served["id"],
            "revision": served["root"] or None,
            "prompt_logprobs": served["logprobs"],
            "choose": "score" if self.scoring() else "generate",
            "option_score": self.option_score,
            "json_schema": self.json_schema,
            "timeout_s": self.timeout_s,
            "retries": self.retries,
        }

    def __init__(
        self,
        base_url: str,
        model_name: str = "default",
        *,
        api_key: str | None = None,
        timeout_s: float = 60.0,
        timeout: float | None = None,
        retries: int = 3,
        backoff_s: float = 0.5,
        choose_mode: str = "auto",
        option_score: str = "sum",
        json_schema: bool = True,
        max_workers: int = 8,
        max_choice_tokens: int = 32,
        cache: cache_lib.CallCache | str | os.PathLike[str] | None = cache_lib.DEFAULT,
    ) -> None:
        super().__init__()
        if choose_mode not in CHOOSE_MODES:
            raise model.ModelUnavailableError(
                f"unknown choose_mode {choose_mode!r}; use one of {', '.join(CHOOSE_MODES)}"
            )
        if option_score not in OPTION_SCORES:
            raise model.ModelUnavailableError(
                f"unknown option_score {option_score!r}; use one of {', '.join(OPTION_SCORES)}"
            )
        self.base_url, credentials = http_client.split_url(base_url)
        self.model_name = model_name
        self.timeout_s = float(timeout if timeout is not None else timeout_s)
        if not self.timeout_s > 0:
            raise model.ModelUnavailableError(f"timeout_s must be > 0, got {self.timeout_s!r}")
        self.retries = max(0, int(retries))
        self.backoff_s = max(0.0, float(backoff_s))
        self.choose_mode = choose_mode
        self.option_score = option_score
        self.json_schema = json_schema  # switched off for good when the server rejects it
        self.max_workers = max(1, max_workers)
        self.max_choice_tokens = max_choice_tokens
        auth = http_client.auth_header(api_key or os.environ.get(API_KEY_ENV) or None, credentials)
        self._http = http_client.JsonClient(
            self.base_url, model_name, auth, self.timeout_s, self.retries, self.backoff_s
        )
        self.cache = cache_lib.open_cache(cache)
        self._served: dict[str, Any] | None = None  # filled once by `capabilities()`
        self._probe_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"OpenAICompatibleModel({self.model_id!r})"

    @property
    def model_id(self) -> str:
        """`served-model@url`, credentials stripped (the served id once the server was asked)."""
        name = self._served["id"] if self._served else self.model_name
        return f"{name}@{self.base_url}"

    def close(self) -> None:
        if self.cache is not None:
            self.cache.close()
            self.cache = None

    def _map(self, function, items: Sequence[Any]) -> list[Any]:
        """`function` over `items` concurrently, so the server sees the whole batch at once."""
        if len(items) <= 1:
            return [function(item) for item in items]
        with concurrent.futures.ThreadPoolExecutor(min(self.max_workers, len(items))) as pool:
            return list(pool.map(function, items))

    # -- what the server serves -------------------------------------------------------------------

    def capabilities(self) -> dict[str, Any]:
        """What the server serves, asked once: `{"id", "root", "logprobs"}` (`id` the served model,
        `root` its weights' path/revision where the server tells, `logprobs` whether
        `/v1/completions` returns prompt log-probabilities)."""
        with self._probe_lock:
            if self._served is None:
                self._served = self._probe()
            return dict(self._served)

    def _probe(self) -> dict[str, Any]:
        listing = self._http.request("GET", "/models")
        try:
            entries = {entry["id"]: entry for entry in listing["data"]}
        except (KeyError, TypeError):
            raise http_client.BadReplyError(
                f"model {self.model_name!r}: {self.base_url}/models is not an OpenAI model list"
            ) from None
        name = self.model_name
        if name == "default" and len(entries) == 1:
            name = next(iter(entries))
        if name not in entries:
            raise model.ModelNotFoundError(
                f"model {self.model_name!r} is not served at {self.base_url}; served models: "
                f"{', '.join(entries) or '(none)'}; use {self.base_url}#<one of them>"
            )
        entry = entries[name]
        root = entry.get("revision") or entry.get("root") or ""
        logprobs = False
        if self.choose_mode != "generate":
            try:
                reply = self._http.request(
                    "POST", "/completions", _score_payload(name, ["Hello world"])
                )
                logprobs = _prompt_logprobs(reply["choices"][0]) is not None
            except (
                http_client.HTTPStatusError,
                http_client.BadReplyError,
                model.ModelNotFoundError,  # a server without /v1/completions
                KeyError,
                IndexError,
                TypeError,
            ):
                logprobs = False
        if self.choose_mode == "score" and not logprobs:
            raise model.ModelUnavailableError(
                f"model {name!r} at {self.base_url} does not return prompt log-probabilities "
                "from /v1/completions; serve it with vLLM or use choose_mode='generate'"
            )
        return {"id": name, "root": str(root), "logprobs": logprobs}

    def _key(self, kind: str, params: dict[str, Any], prompt: str, options: Sequence[str] = ()):
        served = self.capabilities()
        return cache_lib.server_key(
            base_url=self.base_url,
            served=served,
            kind=kind,
            params=params,
            prompt=prompt,
            options=options,
        )

    # -- generate ---------------------------------------------------------------------------------

    def _chat(self, prompt: str, max_tokens: int, **extra: Any) -> dict[str, Any]:
        payload = {
            "model": self.capabilities()["id"],
            "messages": [{"role": "user", "content": prompt}],
            "max_tokens": max_tokens,
            "temperature": 0.0,
            **extra,
        }
        data = self._http.request("POST", "/chat/completions", payload)
        try:
            _ = data["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise http_client.BadReplyError(
                f"model {self.model_name!r}: {self.base_url}/chat/completions returned a reply "
                f"that is not an OpenAI chat completion: {str(data)[:80]!r}"
            ) from None
        return data

    def generate(
        self,
        prompts: Sequence[str],
        *,
        max_new_tokens: int,
        stop: Sequence[str] = (),
        json_schema: Mapping[str, Any] | None = None,
    ) -> list[model.Completion]:
        """Greedy (temperature 0) chat completions, constrained to `json_schema` where the server
        has structured output; HTTP failures raise a `ModelError`."""
        start = time.perf_counter()
        params = {"max_new_tokens": max_new_tokens, "stop": list(stop), "schema": json_schema}

        def one(prompt: str) -> tuple[model.Completion, bool]:
            key = self._key("generate", params, prompt)
            if self.cache is not None and (hit := self.cache.get(key)) is not None:
                return model.Completion(**{**hit, "cached": True}), True
            extra: dict[str, Any] = {"stop": list(stop)} if stop else {}
            data = None
            if json_schema is not None and self.json_schema:
                response_format = {
                    "type": "json_schema",
                    "json_schema": {"name": "reply", "schema": dict(json_schema)},
                }
                try:
                    data = self._chat(
                        prompt, max_new_tokens, response_format=response_format, **extra
                    )
                except http_client.HTTPStatusError as error:
                    # Servers without structured output reject the field with a 400/422.
                    if error.status not in (400, 422):
                        raise
                    self.json_schema = False
            if data is None:
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

    def scoring(self) -> bool:
        """Whether `choose` scores options (log-probs served) rather than asking for a reply."""
        return self.choose_mode != "generate" and self.capabilities()["logprobs"]

    def choose(self, requests: Sequence[model.ChoiceRequest]) -> list[model.Choice]:
        """One choice per request: the best-scored option where the server serves prompt
        log-probs (the rule of local models), else the option a JSON reply names."""
        start = time.perf_counter()
        one = self._score_one if self.scoring() else self._ask_one
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

    def _score_one(self, request: model.ChoiceRequest) -> tuple[model.Choice, int, int, bool]:
        neutral = request.neutral_prompt if self.option_score == "pmi" else None
        if self.option_score == "pmi" and neutral is None:
            raise model.ModelUnavailableError(
                "option_score 'pmi' needs ChoiceRequest.neutral_prompt; the agent set none"
            )
        params = {"score": f"saycan-{self.option_score}", "neutral": neutral}
        key = self._key("choose", params, request.prompt, request.options)
        if self.cache is not None and (hit := self.cache.get(key)) is not None:
            return model.best_choice(request, hit, cached=True), 0, 0, True
        given, sent = self.score_options(request.prompt, request.options)
        if neutral is not None:
            base, base_sent = self.score_options(neutral, request.options)
            scores = [g[0] - b[0] for g, b in zip(given, base, strict=True)]
            sent += base_sent
        elif self.option_score == "mean":
            scores = [total / count for total, count in given]
        else:
            scores = [total for total, _ in given]
        if self.cache is not None:
            self.cache.put(key, scores)
        return model.best_choice(request, scores), sent, 0, False

    def score_options(
        self, prompt: str, options: Sequence[str]
    ) -> tuple[list[tuple[float, int]], int]:
        """Per option, the summed log-prob of its tokens after `prompt` and their count, plus the
        tokens sent; one `/v1/completions` request carries the prompt alone and every option row
        as batched prompts.

        As in `hf.HFModel`, a separating space is added unless the prompt ends in whitespace. The
        option's tokens are those past the prompt's own tokens where a row starts with exactly
        them (token counts, as local scoring uses ids); where the tokenizer merged across the
        boundary, those whose text starts at or after the prompt's end (`text_offset`).
        """
        sep = "" if not prompt or prompt[-1].isspace() else " "
        texts = [prompt, *(prompt + sep + option for option in options)]
        reply = self._http.request(
            "POST", "/completions", _score_payload(self.capabilities()["id"], texts)
        )
        try:
            rows = sorted(reply["choices"], key=lambda c: c.get("index", 0))
            if len(rows) != len(texts):
                raise ValueError
            echoed = []
            for text, row in zip(texts, rows, strict=True):
                tokens = _prompt_logprobs(row)
                if tokens is None:
                    raise ValueError
                # the generated token (max_tokens=1) starts at or after the end of the text
                echoed.append([t for t in tokens if t[0] < len(text)])
            head = [token for _, token, _ in echoed[0]]
            out = []
            for row in echoed[1:]:
                if [token for _, token, _ in row[: len(head)]] == head and len(row) > len(head):
                    values = [lp for _, _, lp in row[len(head) :]]
                else:  # the tokens that reach past the prompt's end
                    ends = [offset for offset, _, _ in row[1:]] + [len(prompt) + 1]
                    values = [
                        lp for (_, _, lp), end in zip(row, ends, strict=True) if end > len(prompt)
                    ]
                if not values or any(lp is None for lp in values):
                    raise ValueError
                out.append((float(sum(values)), len(values)))
        except (KeyError, TypeError, ValueError):
            raise http_client.BadReplyError(
                f"model {self.model_name!r}: {self.base_url}/completions returned no prompt "
                "log-probabilities for the option tokens; serve the model with vLLM or use "
                "choose_mode='generate'"
            ) from None
        return out, sum(len(row) for row in echoed)

    def _ask_one(self, request: model.ChoiceRequest) -> tuple[model.Choice, int, int, bool]:
        key = self._key("choose", {"schema": self.json_schema}, request.prompt, request.options)
        if self.cache is not None and (hit := self.cache.get(key)) is not None:
            return model.Choice.from_dict({**hit, "cached": True}), 0, 0, True
        try:
            data = self._ask_choice(request)
        except http_client.BadReplyError as error:  # malformed output stays a counted fallback
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
            except http_client.HTTPStatusError as error:
                # Servers without structured output reject the field with a 400/422: ask plainly.
                if error.status not in (400, 422):
                    raise
                self.json_schema = False
        return self._chat(prompt, self.max_choice_tokens)


def _score_payload(name: str, prompts: list[str]) -> dict[str, Any]:
    """A completions request that only scores: the prompts echoed with their log-probs, one
    generated token (some servers refuse `max_tokens: 0`) that the reader ignores."""
    return {
        "model": name,
        "prompt": prompts,
        "echo": True,
        "logprobs": 1,
        "max_tokens": 1,
        "temperature": 0.0,
    }


def _prompt_logprobs(row: dict[str, Any]) -> list[tuple[int, str, float | None]] | None:
    """`(text offset, token, log-prob)` per echoed token of one completions choice (vLLM's
    `logprobs.text_offset`, `.tokens`, `.token_logprobs`), or None where they are absent."""
    logprobs = row.get("logprobs")
    if not isinstance(logprobs, dict):
        return None
    values = logprobs.get("token_logprobs")
    offsets = logprobs.get("text_offset")
    tokens = logprobs.get("tokens")
    if not all(isinstance(x, list) for x in (values, offsets, tokens)) or len(values) < 2:
        return None
    if not len(values) == len(offsets) == len(tokens):
        return None
    return [(int(o), str(t), v) for o, t, v in zip(offsets, tokens, values, strict=True)]
