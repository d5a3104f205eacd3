"""Option scoring kernels for `HFModel`: the summed log-probability of each option's tokens as the
continuation of its prompt, for a batch of (prompt, options) token rows.

`score_kv` runs the prompts once and continues every option from its own prompt's KV cache
(optionally after a cached shared prefix); `score_full` runs one padded forward over every
prompt+option row and is the reference both must agree with.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import torch

Tokenized = list[tuple[list[int], list[list[int]]]]
"""(prompt tokens, each option's tokens) per request."""


def pad_left(
    rows: Sequence[Sequence[int]], pad: int, device: str
) -> tuple[torch.Tensor, torch.Tensor]:
    """Token rows left padded into one batch, and their attention mask: the last position of
    every row is then its next-token position."""
    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), pad, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, row in enumerate(rows):
        ids[i, width - len(row) :] = torch.tensor(row, dtype=torch.long)
        mask[i, width - len(row) :] = 1
    return ids.to(device), mask.to(device)


def score_full(lm: Any, pad: int, device: str, tokenized: Tokenized) -> list[list[float]]:
    """Summed option log-probs from one padded forward over every prompt+option row (the
    reference: no cache re-indexing)."""
    rows = [prompt + option for prompt, options in tokenized for option in options]
    lengths = [len(option) for _, options in tokenized for option in options]
    ids, mask = pad_left(rows, pad, device)
    positions = (mask.cumsum(-1) - 1).clamp(min=0)
    keep = max(lengths) + 1
    # Only the last positions' logits are needed: with a large vocabulary the full logits of
    # every row would dominate memory.
    logits = lm(
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


def score_kv(
    lm: Any, pad: int, device: str, tokenized: Tokenized, shared: int = 0, prefix: Any = None
) -> list[list[float]]:
    """Summed option log-probs: prompts once (after a `shared`-token `prefix` KV cache when given),
    then every option continued from its own prompt's cache."""
    prompts = [prompt for prompt, _ in tokenized]
    if prefix is None:
        ids, mask = pad_left(prompts, pad, device)
        positions = (mask.cumsum(-1) - 1).clamp(min=0)
        out = lm(
            input_ids=ids, attention_mask=mask, position_ids=positions, use_cache=True,
            logits_to_keep=1,
        )  # fmt: skip
        first = torch.log_softmax(out.logits[:, -1, :].float(), dim=-1)
    else:
        # Only the suffixes after the shared prefix go through the model, right padded on a
        # copy of the prefix's cache; each row's next-token logits sit at its last suffix token.
        suffixes = [prompt[shared:] for prompt in prompts]
        span = max(len(s) for s in suffixes)
        ids = torch.full((len(prompts), span), pad, dtype=torch.long, device=device)
        mask = torch.ones((len(prompts), shared + span), dtype=torch.long, device=device)
        for i, suffix in enumerate(suffixes):
            ids[i, : len(suffix)] = torch.tensor(suffix, dtype=torch.long)
            mask[i, shared + len(suffix) :] = 0
        cache = copy.deepcopy(prefix)
        cache.reorder_cache(torch.zeros(len(prompts), dtype=torch.long, device=device))
        last = [len(s) - 1 for s in suffixes]
        keep = sorted(set(last))
        out = lm(
            input_ids=ids,
            attention_mask=mask,
            position_ids=shared + torch.arange(span, device=device)[None, :],
            cache=cache,
            use_cache=True,
            logits_to_keep=torch.tensor(keep, device=device),
        )
        rows = torch.tensor([keep.index(k) for k in last], device=device)
        picked = out.logits[torch.arange(len(prompts), device=device), rows]
        first = torch.log_softmax(picked.float(), dim=-1)
    owner = [i for i, (_, options) in enumerate(tokenized) for _ in options]
    options = [option for _, opts in tokenized for option in opts]
    flat = [float(first[owner[r], option[0]]) for r, option in enumerate(options)]
    width = max(len(option) for option in options) - 1
    if width > 0:
        # Every option row continues from its own prompt's cache: re-index the cache per row,
        # then feed each option's tokens but the last (right padded: causal attention means
        # padding after a token never affects it).
        cache = out.cache
        index = torch.tensor(owner, device=device)
        cache.reorder_cache(index)
        feed = torch.full((len(options), width), pad, dtype=torch.long, device=device)
        feed_mask = torch.zeros_like(feed)
        for r, option in enumerate(options):
            feed[r, : len(option) - 1] = torch.tensor(option[:-1], dtype=torch.long)
            feed_mask[r, : len(option) - 1] = 1
        lengths = mask.sum(-1)[index]  # real tokens so far: the next position of every row
        feed_positions = lengths[:, None] + torch.arange(width, device=device)[None, :]
        logits = lm(
            input_ids=feed,
            attention_mask=torch.cat([mask[index], feed_mask], dim=1),
            position_ids=feed_positions,
            cache=cache,
            use_cache=True,
        ).logits
        logp = torch.log_softmax(logits.float(), dim=-1)
        for r, option in enumerate(options):
            if len(option) > 1:
                targets = torch.tensor(option[1:], device=device)
                picked = logp[r, : len(option) - 1].gather(-1, targets[:, None])
                flat[r] += float(picked.sum())
    return _regroup(flat, tokenized)


def common_prefix(rows: Sequence[Sequence[int]]) -> int:
    """Length of the longest token prefix all `rows` share."""
    shortest = min(len(r) for r in rows)
    for k in range(shortest):
        token = rows[0][k]
        if any(r[k] != token for r in rows):
            return k
    return shortest


def _regroup(flat: list[float], tokenized: list[tuple[list[int], list[list[int]]]]):
    grouped, k = [], 0
    for _, options in tokenized:
        grouped.append(flat[k : k + len(options)])
        k += len(options)
    return grouped
