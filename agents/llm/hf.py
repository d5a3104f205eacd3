"""`HFModel`: the `LanguageModel` contract on a local transformers model (CPU or CUDA).

Option choice is SayCan style: an option's score is the log-probability of its tokens as the
continuation of the prompt, summed (`option_score="sum"`) or averaged per token
(`option_score="mean"`; sums favour short options such as "explore"). Small models answer letter
menus by position alone, but rank option texts sensibly (see /work/shared/offline-models.md). All
requests of one `choose` call are scored together: the prompts go through the model once (left
padded) and every option continues from its prompt's KV cache (`scoring="kv"`); `scoring="full"`
instead runs one padded forward over all prompt+option sequences, same result, kept as the
reference and for models whose cache can't be re-indexed. Deterministic calls go through the persistent `CallCache`.
"""

from __future__ import annotations

import hashlib
import os
import pathlib
import socket
import time
from collections.abc import Callable, Sequence
from typing import Any

import torch

from agents.llm import cache as cache_lib
from agents.llm import model, presets

OPTION_SCORES = ("sum", "mean")

_DTYPES = {
    "fp32": torch.float32,
    "float32": torch.float32,
    "bf16": torch.bfloat16,
    "bfloat16": torch.bfloat16,
    "fp16": torch.float16,
    "float16": torch.float16,
}


def resolve_device(device: str = "auto", dtype: str = "auto") -> tuple[str, torch.dtype]:
    """`auto` means CUDA with bf16 when present; on CPU fp32, since bf16 is only fast with AMX."""
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise model.ModelUnavailableError(
            "device='cuda' asked for but torch sees no GPU; use --device cpu or auto"
        )
    if dtype == "auto":
        return device, torch.bfloat16 if device.startswith("cuda") else torch.float32
    if dtype not in _DTYPES:
        raise model.ModelError(f"unknown dtype {dtype!r}; use one of auto, {', '.join(_DTYPES)}")
    return device, _DTYPES[dtype]


def _looks_like_path(name: str) -> bool:
    return name.startswith(("/", ".", "~")) or name.endswith(".gguf") or name.count("/") > 1


def _hub_reachable(timeout: float = 3.0) -> bool:
    """A fast check before transformers' own retries, which take ~30 s to fail offline."""
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes", "on"):
        return False
    try:
        with socket.create_connection(("huggingface.co", 443), timeout=timeout):
            return True
    except OSError:
        return False


def _fingerprint(path: pathlib.Path) -> str:
    """A cheap revision for cache keys: config text plus the names and sizes of the weights."""
    digest = hashlib.sha256()
    folder = path if path.is_dir() else path.parent
    if path.is_file():
        digest.update(f"{path.name}:{path.stat().st_size}".encode())
    else:
        for name in ("config.json", "tokenizer.json", "tokenizer_config.json"):
            if (folder / name).is_file():
                digest.update((folder / name).read_bytes())
        for weights in sorted(folder.glob("*.safetensors")) + sorted(folder.glob("*.bin")):
            digest.update(f"{weights.name}:{weights.stat().st_size}".encode())
    return digest.hexdigest()[:16]


class HFModel(model.LanguageModel):
    """A transformers causal LM from a preset, a local HF directory, a `.gguf` file or a hub id.

    `threads` sets torch's (process-wide) CPU thread count; on a shared 2-core machine 1 thread is
    often faster than 2. `chat_generate` wraps `generate` prompts in the tokenizer's chat template
    when it has one; `chat_choose` does the same for scoring (off by default: raw continuation
    scoring is what was measured to work on the small presets). `option_score` is "sum" (total
    log-prob of an option's tokens) or "mean" (per token, which does not reward short options).
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
        chat_choose: bool = False,
        scoring: str = "kv",
        option_score: str = "sum",
        batch_size: int = 16,
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
        self.device, self.dtype = resolve_device(device, dtype)
        self.scoring = scoring
        self.option_score = option_score
        self.batch_size = max(1, batch_size)
        name = os.fspath(name_or_path)
        self._model_id = name
        self._model, self.tokenizer, self.revision = self._load(name, log)
        self.chat_generate = chat_generate and bool(self.tokenizer.chat_template)
        self.chat_choose = chat_choose and bool(self.tokenizer.chat_template)
        self.cache = cache_lib.open_cache(cache)

    # -- loading ----------------------------------------------------------------------------------

    def _load(self, name: str, log: Callable[[str], None]) -> tuple[Any, Any, str]:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        kwargs: dict[str, Any] = {}
        if name in presets.PRESETS:
            path = presets.resolve(name, log=log)
            where, revision = str(path), _fingerprint(path)
        elif pathlib.Path(name).expanduser().exists():
            path = pathlib.Path(name).expanduser().resolve()
            if path.is_file():
                if path.suffix != ".gguf":
                    raise model.ModelNotFoundError(
                        f"{path} is a file but not a .gguf; pass a model directory or a .gguf file"
                    )
                kwargs["gguf_file"] = path.name
                where = str(path.parent)
            else:
                where = str(path)
                if not (path / "config.json").is_file():
                    raise model.ModelNotFoundError(
                        f"{path} has no config.json; pass a HF model directory, a .gguf file or a"
                        f" preset ({', '.join(presets.PRESETS)})"
                    )
            revision = _fingerprint(path)
        elif _looks_like_path(name):
            raise model.ModelNotFoundError(
                f"no model at {name}; pass a preset ({', '.join(presets.PRESETS)}), an existing"
                " HF model directory or a .gguf file"
            )
        else:
            where, revision = name, "hub"
            # Hub ids: the local HF cache first; a download only when the Hub is reachable.
            kwargs["local_files_only"] = not _hub_reachable()
        log(f"loading {name} on {self.device} ({self.dtype})")
        try:
            tokenizer = AutoTokenizer.from_pretrained(where, **kwargs)
            lm = AutoModelForCausalLM.from_pretrained(where, dtype=self.dtype, **kwargs)
        except (torch.OutOfMemoryError, MemoryError):
            raise model.ModelUnavailableError(
                f"out of memory loading {name} on {self.device}; try a smaller preset or"
                " dtype='bf16'"
            ) from None
        except (OSError, ValueError) as error:
            if revision != "hub":
                raise model.ModelNotFoundError(
                    f"could not load {name}: {str(error).splitlines()[0]}"
                ) from None
            raise model.ModelNotFoundError(
                f"{name!r} is not a preset ({', '.join(presets.PRESETS)}), not a local path, and"
                " not in the local Hugging Face cache (the Hub is unreachable); pass a preset or a"
                " local model directory"
            ) from None
        if revision == "hub":
            revision = getattr(lm.config, "_commit_hash", None) or "hub"
        lm.to(self.device).eval()
        # Left padding: the last position of every row is then the next-token position.
        tokenizer.padding_side = "left"
        if tokenizer.pad_token_id is None:
            tokenizer.pad_token = tokenizer.eos_token
        return lm, tokenizer, revision

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
        width = max(len(r) for r in rows)
        pad = self.tokenizer.pad_token_id
        ids = torch.full((len(rows), width), pad, dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        for i, row in enumerate(rows):
            ids[i, width - len(row) :] = torch.tensor(row, dtype=torch.long)
            mask[i, width - len(row) :] = 1
        return ids.to(self.device), mask.to(self.device)

    # -- generate ---------------------------------------------------------------------------------

    def generate(
        self, prompts: Sequence[str], *, max_new_tokens: int, stop: Sequence[str] = ()
    ) -> list[model.Completion]:
        """Greedy continuations; the chat template wraps each prompt when enabled."""
        start = time.perf_counter()
        params = {"max_new_tokens": max_new_tokens, "stop": list(stop), "chat": self.chat_generate}
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
                self._generate([prompts[i] for i in chunk], max_new_tokens, stop),
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
        self, prompts: Sequence[str], max_new_tokens: int, stop: Sequence[str]
    ) -> list[model.Completion]:
        encoded = [self._encode(*self._format(p, self.chat_generate)) for p in prompts]
        ids, mask = self._pad_left(encoded)
        extra: dict[str, Any] = {}
        if stop:
            extra = {"stop_strings": list(stop), "tokenizer": self.tokenizer}
        output = self._model.generate(
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
            model.best_choice(r, s, cached=h) for r, s, h in zip(requests, scores, hit, strict=True)
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
        params = {"score": f"saycan-{self.option_score}", "chat": self.chat_choose}
        return self._key("choose", params, request.prompt, request.options)

    def _tokenize_request(self, request: model.ChoiceRequest) -> tuple[list[int], list[list[int]]]:
        """Prompt ids and, per option, the ids that continue them.

        The option is tokenized together with the prompt and the prompt's ids stripped off, so the
        option's tokens are the ones the model would really produce after this prompt; a separating
        space is added unless the prompt already ends in whitespace.
        """
        text, special = self._format(request.prompt, self.chat_choose)
        prompt_ids = self._encode(text, special)
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

    @torch.inference_mode()
    def score(self, requests: Sequence[model.ChoiceRequest]) -> tuple[list[list[float]], int]:
        """Uncached option scores of `requests` in one batch, and the number of tokens sent."""
        tokenized = [self._tokenize_request(r) for r in requests]
        sent = sum(len(p) + sum(len(o) for o in opts) for p, opts in tokenized)
        sums = self._score_kv(tokenized) if self.scoring == "kv" else self._score_full(tokenized)
        if self.option_score == "mean":
            sums = [
                [total / len(ids) for total, ids in zip(row, opts, strict=True)]
                for row, (_, opts) in zip(sums, tokenized, strict=True)
            ]
        return sums, sent

    def _score_full(self, tokenized: list[tuple[list[int], list[list[int]]]]) -> list[list[float]]:
        rows = [prompt + option for prompt, options in tokenized for option in options]
        lengths = [len(option) for _, options in tokenized for option in options]
        ids, mask = self._pad_left(rows)
        positions = (mask.cumsum(-1) - 1).clamp(min=0)
        keep = max(lengths) + 1
        # Only the last positions' logits are needed: with a large vocabulary the full logits of
        # every row would dominate memory.
        logits = self._model(
            input_ids=ids, attention_mask=mask, position_ids=positions, logits_to_keep=keep
        ).logits
        logp = torch.log_softmax(logits.float(), dim=-1)
        flat = []
        for r, n in enumerate(lengths):
            targets = ids[r, -n:]
            # Position keep-1-n .. keep-2 of the kept logits predict the n option tokens.
            picked = logp[r, keep - 1 - n : keep - 1].gather(-1, targets[:, None])
            flat.append(float(picked.sum()))
        return _regroup(flat, tokenized)

    def _score_kv(self, tokenized: list[tuple[list[int], list[list[int]]]]) -> list[list[float]]:
        prompts = [prompt for prompt, _ in tokenized]
        ids, mask = self._pad_left(prompts)
        positions = (mask.cumsum(-1) - 1).clamp(min=0)
        out = self._model(
            input_ids=ids, attention_mask=mask, position_ids=positions, use_cache=True,
            logits_to_keep=1,
        )  # fmt: skip
        first = torch.log_softmax(out.logits[:, -1, :].float(), dim=-1)
        owner = [i for i, (_, options) in enumerate(tokenized) for _ in options]
        options = [option for _, opts in tokenized for option in opts]
        flat = [float(first[owner[r], option[0]]) for r, option in enumerate(options)]
        width = max(len(option) for option in options) - 1
        if width > 0:
            # Every option row continues from its own prompt's cache: re-index the cache per row,
            # then feed each option's tokens but the last (right padded: causal attention means
            # padding after a token never affects it).
            cache = out.cache
            index = torch.tensor(owner, device=self.device)
            cache.reorder_cache(index)
            pad = self.tokenizer.pad_token_id
            feed = torch.full((len(options), width), pad, dtype=torch.long, device=self.device)
            feed_mask = torch.zeros_like(feed)
            for r, option in enumerate(options):
                feed[r, : len(option) - 1] = torch.tensor(option[:-1], dtype=torch.long)
                feed_mask[r, : len(option) - 1] = 1
            lengths = mask.sum(-1)[index]
            feed_positions = lengths[:, None] + torch.arange(width, device=self.device)[None, :]
            logits = self._model(
                input_ids=feed,
                attention_mask=torch.cat([mask[index], feed_mask], dim=1),
                position_ids=feed_positions,
                cache=cache,
                use_cache=True,
            ).logits
            logp = torch.log_softmax(logits.float(), dim=-1)
            for r, option in enumerate(options):
                if len(option) > 1:
                    targets = torch.tensor(option[1:], device=self.device)
                    picked = logp[r, : len(option) - 1].gather(-1, targets[:, None])
                    flat[r] += float(picked.sum())
        return _regroup(flat, tokenized)


def _regroup(flat: list[float], tokenized: list[tuple[list[int], list[list[int]]]]):
    grouped, k = [], 0
    for _, options in tokenized:
        grouped.append(flat[k : k + len(options)])
        k += len(options)
    return grouped


def dataclass_replace_cached(completion: model.Completion) -> model.Completion:
    """A completion read back from the cache, marked as such."""
    return model.Completion(**{**completion.to_dict(), "cached": True})


def describe(lm: HFModel) -> dict[str, Any]:
    """What a run records about its model, so results trace back to weights and settings."""
    return {
        "model_id": lm.model_id,
        "revision": lm.revision,
        "device": lm.device,
        "dtype": lm.dtype_name,
        "scoring": lm.scoring,
        "option_score": lm.option_score,
        "chat_generate": lm.chat_generate,
        "chat_choose": lm.chat_choose,
        "threads": torch.get_num_threads(),
    }
