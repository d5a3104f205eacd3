"""`HFModel`: the `LanguageModel` contract on a local transformers model (CPU or CUDA).

Option choice is SayCan style: an option's score is the log-probability of its tokens as the
continuation of the prompt, summed (`option_score="sum"`) or averaged per token
(`option_score="mean"`; sums favour short options such as "explore"). Small models answer letter
menus by position alone, but rank option texts sensibly (see /work/shared/offline-models.md). All
requests of one `choose` call are scored together: the prompts go through the model once (left
padded) and every option continues from its prompt's KV cache (`scoring="kv"`); `scoring="full"`
instead runs one padded forward over all prompt+option sequences, same result, kept as the
reference and for models whose cache can't be re-indexed (the kernels: `agents.llm.option_scoring`).
Deterministic calls go through the persistent `CallCache`; where the weights come from and the
device they run on: `agents.llm.weights`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import torch

from agents.llm import cache as cache_lib
from agents.llm import model, option_scoring, weights

OPTION_SCORES = ("sum", "mean", "pmi")
MIN_PREFIX = 16
"""Shared prefixes shorter than this are not worth a separate cache."""


class HFModel(model.LanguageModel):
    """A transformers causal LM from a preset, a local HF directory, a `.gguf` file or a hub id.

    `threads` sets torch's (process-wide) CPU thread count; on a shared 2-core machine 1 thread is
    often faster than 2. `chat_generate` wraps `generate` prompts in the tokenizer's chat template
    when it has one; `chat_choose` does the same for scoring (the prompt is the user turn, the
    option is scored as the assistant's reply). `option_score` is "sum" (total log-prob of an
    option's tokens), "mean" (per token, which does not reward short options) or "pmi" (the sum
    minus the sum given `ChoiceRequest.neutral_prompt`; the neutral scores are computed once per
    (neutral prompt, options) and kept in memory and in the call cache). `max_rows` bounds the
    option rows scored in one forward pass (each row holds a copy of its prompt's KV cache).
    `prefix_cache` keeps the KV cache of the token prefix the prompts share (within a batch and
    with the previous call) and prefills only what follows it; scores equal the uncached ones.
    """

    def __init__(
        self,
        name_or_path: str | os.PathLike[str],
        *,
        device: str = "auto",
        dtype: str = "auto",
        threads: int | None = None,
        cache: cache_lib.CallCache | str | os.PathLike[str] | None = cache_lib.DEFAULT,
        chat_generate: bool = True,
        chat_choose: bool = True,
        scoring: str = "kv",
        option_score: str = "sum",
        batch_size: int = 16,
        max_rows: int = 64,
        prefix_cache: bool = True,
        log: Callable[[str], None] = lambda _: None,
    ) -> None:
        super().__init__()
        if scoring not in ("kv", "full"):
            raise model.ModelError(f"unknown scoring {scoring!r}; use 'kv' or 'full'")
        if option_score not in OPTION_SCORES:
            raise model.ModelError(
                f"unknown option_score {option_score!r}; use one of {', '.join(OPTION_SCORES)}"
            )
        if threads is not None:
            torch.set_num_threads(threads)
        self.device, self.dtype = weights.resolve_device(device, dtype)
        self.scoring = scoring
        self.option_score = option_score
        self.batch_size = max(1, batch_size)
        self.max_rows = max(1, max_rows)
        self.prefix_cache = prefix_cache
        self._prefix: tuple[tuple[int, ...], Any] | None = None
        self._last_prompt: list[int] | None = None
        self._enforcer_data: Any = None
        self._neutral: dict[tuple[str, tuple[str, ...]], list[float]] = {}
        name = os.fspath(name_or_path)
        self._model_id = name
        self._model, self.tokenizer, self.revision = weights.load(
            name, self.device, self.dtype, log
        )
        self.chat_generate = chat_generate and bool(self.tokenizer.chat_template)
        self.chat_choose = chat_choose and bool(self.tokenizer.chat_template)
        self.cache = cache_lib.open_cache(cache)

    # -- loading ----------------------------------------------------------------------------------

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def dtype_name(self) -> str:
        return str(self.dtype).removeprefix("torch.")

    def close(self) -> None:
        if self.cache is not None:
            self.cache.close()
            self.cache = None

    # -- shared helpers ---------------------------------------------------------------------------

    def _key(self, kind: str, params: dict[str, Any], prompt: str, options: Sequence[str] = ()):
        return cache_lib.make_key(
            model_id=self._model_id,
            revision=self.revision,
            dtype=self.dtype_name,
            kind=kind,
            params=params,
            prompt=prompt,
            options=options,
        )

    def _format(self, prompt: str, chat: bool) -> tuple[str, bool]:
        """Prompt text as the model sees it, and whether the tokenizer should add special tokens."""
        if not chat:
            return prompt, True
        messages = [{"role": "user", "content": prompt}]
        text = self.tokenizer.apply_chat_template(
            messages, add_generation_prompt=True, tokenize=False
        )
        return text, False  # the template writes its own BOS

    def _encode(self, text: str, special: bool) -> list[int]:
        return list(self.tokenizer(text, add_special_tokens=special)["input_ids"])

    def _pad_left(self, rows: Sequence[Sequence[int]]) -> tuple[torch.Tensor, torch.Tensor]:
        return option_scoring.pad_left(rows, self.tokenizer.pad_token_id, self.device)

    # -- generate ---------------------------------------------------------------------------------

    def generate(
        self,
        prompts: Sequence[str],
        *,
        max_new_tokens: int,
        stop: Sequence[str] = (),
        json_schema: Mapping[str, Any] | None = None,
    ) -> list[model.Completion]:
        """Greedy continuations; the chat template wraps each prompt when enabled.

        With `json_schema`, decoding is constrained token by token (lm-format-enforcer) so the
        reply is JSON of that schema, unless `max_new_tokens` cuts it (finish_reason "length"): the
        caller still validates.
        """
        start = time.perf_counter()
        params = {"max_new_tokens": max_new_tokens, "stop": list(stop), "chat": self.chat_generate}
        if json_schema is not None:
            params["json_schema"] = dict(json_schema)
        keys = [self._key("generate", params, p) for p in prompts]
        results: list[model.Completion | None] = [None] * len(prompts)
        if self.cache is not None:
            for i, key in enumerate(keys):
                hit = self.cache.get(key)
                if hit is not None:
                    results[i] = dataclass_replace_cached(model.Completion.from_dict(hit))
        misses = [i for i, r in enumerate(results) if r is None]
        prompt_tokens = completion_tokens = 0
        for chunk_start in range(0, len(misses), self.batch_size):
            chunk = misses[chunk_start : chunk_start + self.batch_size]
            for i, completion in zip(
                chunk,
                self._generate([prompts[i] for i in chunk], max_new_tokens, stop, json_schema),
                strict=True,
            ):
                results[i] = completion
                prompt_tokens += completion.prompt_tokens
                completion_tokens += completion.completion_tokens
                if self.cache is not None:
                    self.cache.put(keys[i], completion.to_dict())
        hits = len(prompts) - len(misses)
        self.meter.add(
            calls=len(prompts),
            batches=1,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            latency_s=time.perf_counter() - start,
            cache_hits=hits if self.cache is not None else 0,
            cache_misses=len(misses) if self.cache is not None else 0,
        )
        return [r for r in results if r is not None]

    @torch.inference_mode()
    def _generate(
        self,
        prompts: Sequence[str],
        max_new_tokens: int,
        stop: Sequence[str],
        json_schema: Mapping[str, Any] | None = None,
    ) -> list[model.Completion]:
        encoded = [self._encode(*self._format(p, self.chat_generate)) for p in prompts]
        ids, mask = self._pad_left(encoded)
        extra: dict[str, Any] = {}
        if stop:
            extra = {"stop_strings": list(stop), "tokenizer": self.tokenizer}
        if json_schema is not None:
            extra["prefix_allowed_tokens_fn"] = self._json_constraint(json_schema)
        try:
            output = self._generate_ids(ids, mask, max_new_tokens, extra)
        except torch.OutOfMemoryError:
            raise _out_of_memory(self, "generating", [(e, []) for e in encoded]) from None
        eos = self._model.generation_config.eos_token_id
        eos_ids = set(eos if isinstance(eos, list) else [eos]) | {self.tokenizer.eos_token_id}
        out = []
        for row, prompt_ids in zip(output[:, ids.shape[1] :].tolist(), encoded, strict=True):
            # Rows that finished early are padded afterwards; count up to and including the eos.
            end = next((k + 1 for k, t in enumerate(row) if t in eos_ids), len(row))
            new = row[:end]
            text = self.tokenizer.decode(new, skip_special_tokens=True)
            text, stopped = model.cut_at_stop(text, stop)
            ended = stopped or (bool(new) and new[-1] in eos_ids)
            reason = "length" if len(new) >= max_new_tokens and not ended else "stop"
            out.append(model.Completion(text, len(prompt_ids), len(new), reason))
        return out

    def _generate_ids(
        self, ids: torch.Tensor, mask: torch.Tensor, max_new_tokens: int, extra: dict[str, Any]
    ) -> torch.Tensor:
        return self._model.generate(
            input_ids=ids,
            attention_mask=mask,
            max_new_tokens=max_new_tokens,
            do_sample=False,
            temperature=None,
            top_p=None,
            top_k=None,
            pad_token_id=self.tokenizer.pad_token_id,
            **extra,
        )

    def _json_constraint(
        self, schema: Mapping[str, Any]
    ) -> Callable[[int, torch.Tensor], list[int]]:
        """A `prefix_allowed_tokens_fn` that lets only tokens continuing valid `schema` JSON."""
        try:
            from lmformatenforcer import JsonSchemaParser, TokenEnforcer
            from lmformatenforcer.tokenenforcer import TokenEnforcerTokenizerData
        except ImportError:
            raise model.ModelError(
                "json_schema needs lm-format-enforcer: pip install 'macbench[llm]'"
            ) from None
        if self._enforcer_data is None:
            # lm-format-enforcer's own transformers helper imports a module transformers 5
            # removed; this is the same table built from the tokenizer directly.
            tok = self.tokenizer
            zero = tok.encode("0", add_special_tokens=False)[-1]
            special = set(tok.all_special_ids)
            regular = []
            for index in range(len(tok)):
                if index in special:
                    continue
                after_zero = tok.decode([zero, index])[1:]
                alone = tok.decode([index])
                regular.append((index, after_zero, len(after_zero) > len(alone)))
            eos = self._model.generation_config.eos_token_id
            eos_ids = (
                eos if isinstance(eos, list) else [eos if eos is not None else tok.eos_token_id]
            )
            self._enforcer_data = TokenEnforcerTokenizerData(
                regular,
                lambda ids: tok.decode(ids).rstrip("\ufffd"),
                eos_ids if len(eos_ids) > 1 else eos_ids[0],
                False,
                len(tok),
            )
        enforcer = TokenEnforcer(self._enforcer_data, JsonSchemaParser(dict(schema)))
        return lambda _batch, sent: enforcer.get_allowed_tokens(sent.tolist()).allowed_tokens

    # -- choose -----------------------------------------------------------------------------------

    def choose(self, requests: Sequence[model.ChoiceRequest]) -> list[model.Choice]:
        """Score every option of every request (SayCan, `option_score`) and pick the best."""
        start = time.perf_counter()
        keys = [self._choice_key(r) for r in requests]
        scores: list[list[float] | None] = [None] * len(requests)
        if self.cache is not None:
            for i, key in enumerate(keys):
                scores[i] = self.cache.get(key)
        hit = [s is not None for s in scores]
        misses = [i for i, s in enumerate(scores) if s is None]
        sent = 0
        for chunk_start in range(0, len(misses), self.batch_size):
            chunk = misses[chunk_start : chunk_start + self.batch_size]
            chunk_scores, chunk_sent = self.score([requests[i] for i in chunk])
            sent += chunk_sent
            for i, values in zip(chunk, chunk_scores, strict=True):
                scores[i] = values
                if self.cache is not None:
                    self.cache.put(keys[i], values)
        choices = [
            model.best_choice(r, s, cached=h, scoring=self.option_score)
            for r, s, h in zip(requests, scores, hit, strict=True)
        ]
        self.meter.add(
            calls=len(requests),
            batches=1,
            prompt_tokens=sent,
            latency_s=time.perf_counter() - start,
            valid=len(choices),
            cache_hits=sum(hit) if self.cache is not None else 0,
            cache_misses=len(misses) if self.cache is not None else 0,
        )
        return choices

    def _choice_key(self, request: model.ChoiceRequest) -> str:
        """Cache key of one request's scores; the option score mode is part of it."""
        params: dict[str, Any] = {"score": f"saycan-{self.option_score}", "chat": self.chat_choose}
        if self.option_score == "pmi":
            params["neutral"] = request.neutral_prompt
        return self._key("choose", params, request.prompt, request.options)

    def _tokenize_request(self, request: model.ChoiceRequest) -> tuple[list[int], list[list[int]]]:
        """Prompt ids and, per option, the ids that continue them.

        The option is tokenized together with the prompt and the prompt's ids stripped off, so the
        option's tokens are the ones the model would really produce after this prompt; a separating
        space is added unless the prompt already ends in whitespace.
        """
        text, special = self._format(request.prompt, self.chat_choose)
        prompt_ids = self._encode(text, special)
        longest = max(
            len(self.tokenizer(o, add_special_tokens=False)["input_ids"]) for o in request.options
        )
        context = self.context_length
        if context is not None and len(prompt_ids) + longest + 1 > context:
            raise model.ModelError(
                f"prompt of {len(prompt_ids)} tokens plus an option of {longest} exceeds the"
                f" {context}-token context of {self._model_id}; shorten the prompt or use a model"
                " with a longer context"
            )
        # Tokenizers that append an end token would make every option "end the text" first.
        enders = {self.tokenizer.eos_token_id, self.tokenizer.sep_token_id} - {
            None,
            self.tokenizer.bos_token_id,
        }
        trailing = 0
        while special and trailing < len(prompt_ids) and prompt_ids[-1 - trailing] in enders:
            trailing += 1
        if trailing:
            prompt_ids = prompt_ids[:-trailing]
        sep = "" if not text or text[-1].isspace() else " "
        option_ids = []
        for option in request.options:
            full = self._encode(text + sep + option, special)
            full = full[: len(full) - trailing]
            if full[: len(prompt_ids)] == prompt_ids and len(full) > len(prompt_ids):
                option_ids.append(full[len(prompt_ids) :])
            else:  # a merge across the boundary: fall back to the option on its own
                option_ids.append(self._encode(sep + option, False))
        return prompt_ids, option_ids

    @property
    def context_length(self) -> int | None:
        """The most tokens the model attends to, from its config (None when it does not say)."""
        config = self._model.config
        value = getattr(config, "max_position_embeddings", None)
        return int(value) if isinstance(value, int) and value > 0 else None

    @torch.inference_mode()
    def score(self, requests: Sequence[model.ChoiceRequest]) -> tuple[list[list[float]], int]:
        """Uncached option scores of `requests` (by `option_score`), and the number of tokens sent."""
        if self.option_score == "pmi":
            missing = [i for i, r in enumerate(requests) if r.neutral_prompt is None]
            if missing:
                raise model.ValidationError(
                    f"option_score='pmi' needs ChoiceRequest.neutral_prompt (the prompt frame"
                    f" without the situation); request {missing[0]} has none"
                )
        tokenized = [self._tokenize_request(r) for r in requests]
        sent = sum(len(p) + sum(len(o) for o in opts) for p, opts in tokenized)
        try:
            sums = self._sums(tokenized)
        except torch.OutOfMemoryError:
            raise _out_of_memory(self, "scoring", tokenized) from None
        if self.option_score == "mean":
            sums = [
                [total / len(ids) for total, ids in zip(row, opts, strict=True)]
                for row, (_, opts) in zip(sums, tokenized, strict=True)
            ]
        elif self.option_score == "pmi":
            neutral, neutral_sent = self._neutral_sums(requests)
            sent += neutral_sent
            sums = [
                [c - n for c, n in zip(row, base, strict=True)]
                for row, base in zip(sums, neutral, strict=True)
            ]
        return sums, sent

    def _neutral_sums(
        self, requests: Sequence[model.ChoiceRequest]
    ) -> tuple[list[list[float]], int]:
        """Summed option log-probs given each request's neutral prompt: memory, then call cache,
        then the model (they depend only on the neutral prompt and the options, so after the first
        decisions they cost nothing)."""
        keys = [(str(r.neutral_prompt), tuple(r.options)) for r in requests]
        todo: dict[tuple[str, tuple[str, ...]], str] = {}
        for key in keys:
            if key in self._neutral or key in todo:
                continue
            stored = None
            disk_key = self._key("neutral", {"chat": self.chat_choose}, key[0], key[1])
            if self.cache is not None:
                stored = self.cache.get(disk_key)
            if stored is not None:
                self._neutral[key] = list(stored)
            else:
                todo[key] = disk_key
        sent = 0
        if todo:
            pending = list(todo)
            tokenized = [
                self._tokenize_request(model.ChoiceRequest(prompt, options))
                for prompt, options in pending
            ]
            sent = sum(len(p) + sum(len(o) for o in opts) for p, opts in tokenized)
            for key, values in zip(pending, self._sums(tokenized), strict=True):
                self._neutral[key] = values
                if self.cache is not None:
                    self.cache.put(todo[key], values)
        return [self._neutral[key] for key in keys], sent

    def _sums(self, tokenized: list[tuple[list[int], list[list[int]]]]) -> list[list[float]]:
        """Summed option log-probs, at most `max_rows` option rows per forward pass (a menu longer
        than that is split across passes)."""
        units = [
            (r, prompt, options[k : k + self.max_rows])
            for r, (prompt, options) in enumerate(tokenized)
            for k in range(0, len(options), self.max_rows)
        ]
        out: list[list[float]] = [[] for _ in tokenized]
        chunk: list[tuple[int, list[int], list[list[int]]]] = []
        rows = 0

        def flush() -> None:
            part = [(prompt, options) for _, prompt, options in chunk]
            run = self._score_kv if self.scoring == "kv" else self._score_full
            for (r, _, _), values in zip(chunk, run(part), strict=True):
                out[r].extend(values)

        for unit in units:
            if chunk and rows + len(unit[2]) > self.max_rows:
                flush()
                chunk, rows = [], 0
            chunk.append(unit)
            rows += len(unit[2])
        if chunk:
            flush()
        return out

    @torch.inference_mode()
    def _shared_prefix(self, prompts: list[list[int]]) -> tuple[int, Any | None]:
        """The token prefix this batch shares (with itself and the last batch), and its KV cache.

        The agents put what every decision shares (rules, recipe table, role) first; its cache is
        kept from call to call, so it is prefilled once per process, not once per decision.
        """
        if not self.prefix_cache:
            return 0, None
        seen = [*prompts, *([self._last_prompt] if self._last_prompt is not None else [])]
        self._last_prompt = prompts[-1]
        if len(seen) < 2:
            return 0, None
        # At least one token of every prompt stays out of the prefix: its logits start the options.
        shared = min(option_scoring.common_prefix(seen), min(len(p) for p in prompts) - 1)
        if shared < MIN_PREFIX:
            return 0, None
        key = tuple(prompts[0][:shared])
        if self._prefix is None or self._prefix[0] != key:
            ids = torch.tensor([key], dtype=torch.long, device=self.device)
            out = self._model(input_ids=ids, use_cache=True, logits_to_keep=1)
            self._prefix = (key, out.cache)
        return shared, self._prefix[1]

    def describe(self) -> dict[str, Any]:
        """What a run records about its model, so results trace back to weights and settings."""
        return {
            "model_id": self.model_id,
            "revision": self.revision,
            "device": self.device,
            "dtype": self.dtype_name,
            "scoring": self.scoring,
            "option_score": self.option_score,
            "max_rows": self.max_rows,
            "prefix_cache": self.prefix_cache,
            "chat_generate": self.chat_generate,
            "chat_choose": self.chat_choose,
            "threads": torch.get_num_threads(),
        }

    def _score_full(self, tokenized: option_scoring.Tokenized) -> list[list[float]]:
        return option_scoring.score_full(
            self._model, self.tokenizer.pad_token_id, self.device, tokenized
        )

    def _score_kv(self, tokenized: option_scoring.Tokenized) -> list[list[float]]:
        shared, prefix = self._shared_prefix([prompt for prompt, _ in tokenized])
        return option_scoring.score_kv(
            self._model, self.tokenizer.pad_token_id, self.device, tokenized, shared, prefix
        )


def _out_of_memory(
    lm: HFModel, doing: str, tokenized: Sequence[tuple[list[int], list[list[int]]]]
) -> model.ModelUnavailableError:
    """The one-line error for an out-of-memory model call: what, how big, what to do."""
    if lm.device.startswith("cuda"):
        torch.cuda.empty_cache()
    rows = sum(max(1, len(options)) for _, options in tokenized)
    longest = max(len(prompt) for prompt, _ in tokenized)
    return model.ModelUnavailableError(
        f"out of memory {doing} {rows} rows (prompts up to {longest} tokens) with {lm.model_id} on"
        f" {lm.device} ({lm.dtype_name}); lower max_rows (now {lm.max_rows}) or the batch size,"
        " or use a smaller model"
    )


def dataclass_replace_cached(completion: model.Completion) -> model.Completion:
    """A completion read back from the cache, marked as such."""
    return model.Completion(**{**completion.to_dict(), "cached": True})
