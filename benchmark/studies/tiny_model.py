"""A tiny randomly initialised Llama with a BPE tokenizer, built in process for studies and tests.

It needs no download and loads through exactly the code path of the real presets (`HFModel` on a
local directory), so tests anywhere in the tree can exercise batching, scoring, caching and chat
templates in milliseconds, and a study or a GPU check can run without weights. Its output is garbage: assert arithmetic and plumbing, never quality.
"""

from __future__ import annotations

import pathlib

CORPUS = (
    "You are in Crafter. Inventory: wood 0. Nearby: tree. Which subgoal next?",
    "A) collect wood B) place table C) make wood pickaxe. Answer: A",
    "collect stone, place furnace, drink water, eat cow, sleep, explore, share wood with player_1.",
)


def build_tiny_model(directory: str | pathlib.Path, *, seed: int = 0) -> pathlib.Path:
    """Write a ~100k-parameter Llama + tokenizer (with a chat template) to `directory`; return it.

    Building takes ~0.1 s after transformers is imported; the result is deterministic for a seed.
    """
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    directory = pathlib.Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    bpe = Tokenizer(models.BPE(unk_token="<unk>"))
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=512,
        special_tokens=["<unk>", "<s>", "</s>", "<pad>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    bpe.train_from_iterator(list(CORPUS) * 50, trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=bpe,
        unk_token="<unk>",
        bos_token="<s>",
        eos_token="</s>",
        pad_token="<pad>",
    )
    tokenizer.chat_template = (
        "{% for m in messages %}<s>{{ m['role'] }}: {{ m['content'] }}</s>{% endfor %}"
        "{% if add_generation_prompt %}<s>assistant:{% endif %}"
    )
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=4096,  # the agents' prompts run to ~1k tokens
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        tie_word_embeddings=True,
    )
    torch.manual_seed(seed)
    LlamaForCausalLM(config).save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory
