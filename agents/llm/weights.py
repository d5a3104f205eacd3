"""Where an `HFModel`'s weights come from and what they run on: the device and dtype (CUDA when
present, bf16 only where it is native), the content revision that keys the call cache (so new
weights never replay old answers), and loading from a preset, a local directory, a `.gguf` file
or a hub id (offline: the local HF cache only, checked fast).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pathlib
import socket
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import torch

from agents.llm import factory, model, presets

REVISION_FILE = ".macbench-revision.json"
"""Beside local weights: their content hash and the (name, size, mtime) listing it was made from."""

_DTYPES = {
    "fp32": torch.float32,
    "float32": torch.float32,
    "bf16": torch.bfloat16,
    "bfloat16": torch.bfloat16,
    "fp16": torch.float16,
    "float16": torch.float16,
}


def cpu_has_native_bf16(cpuinfo: str | None = None) -> bool:
    """Whether this CPU computes bf16 natively (AMX or AVX512-BF16); without either a bf16 matmul
    is emulated and runs ~40x slower than fp32 (measured on an AVX2-only EPYC)."""
    if cpuinfo is None:
        try:
            cpuinfo = pathlib.Path("/proc/cpuinfo").read_text()
        except OSError:
            return False
    flags = set(cpuinfo.split())
    return bool(flags & {"amx_bf16", "avx512_bf16"})


def resolve_device(device: str = "auto", dtype: str = "auto") -> tuple[str, torch.dtype]:
    """`auto`: CUDA when present; dtype `auto`: bf16 on CUDA and on CPUs with native bf16, else
    fp32."""
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise model.ModelUnavailableError(
            "device='cuda' asked for but torch sees no GPU; use --device cpu or auto"
        )
    if dtype == "auto":
        native = device.startswith("cuda") or cpu_has_native_bf16()
        return device, torch.bfloat16 if native else torch.float32
    if dtype not in _DTYPES:
        raise model.ModelError(f"unknown dtype {dtype!r}; use one of auto, {', '.join(_DTYPES)}")
    return device, _DTYPES[dtype]


def _hub_reachable(timeout: float = 3.0) -> bool:
    """A fast check before transformers' own retries, which take ~30 s to fail offline."""
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes", "on"):
        return False
    try:
        with socket.create_connection(("huggingface.co", 443), timeout=timeout):
            return True
    except OSError:
        return False


def content_revision(path: pathlib.Path) -> str:
    """The sha256 (16 hex) of a weights file or of every file of a model directory.

    Computed once and stored in `REVISION_FILE` beside the weights with the listing it was made
    from; any change of a file's name, size or modification time recomputes it, so new weights of
    the same size never replay decisions cached for the old ones.
    """
    folder = path.parent if path.is_file() else path
    if path.is_file():
        files = [path]
        store = folder / f".{path.name}{REVISION_FILE}"
    else:
        files = sorted(
            f for f in folder.rglob("*") if f.is_file() and not f.name.startswith(".macbench")
        )
        store = folder / REVISION_FILE
    stats = [f.stat() for f in files]
    listing = [
        [str(f.relative_to(folder)), st.st_size, st.st_mtime_ns]
        for f, st in zip(files, stats, strict=True)
    ]
    try:
        saved = json.loads(store.read_text())
        if saved.get("listing") == listing:
            return str(saved["revision"])
    except (OSError, ValueError, KeyError, AttributeError):
        pass
    digest = hashlib.sha256()
    for f, entry in zip(files, listing, strict=True):
        digest.update(entry[0].encode() + b"\0")
        with f.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    revision = digest.hexdigest()[:16]
    try:
        store.write_text(json.dumps({"revision": revision, "listing": listing}))
    except OSError:  # read-only weights: hash again next time
        pass
    return revision


@contextlib.contextmanager
def _quiet_loading() -> Iterator[None]:
    """Silence transformers' per-tensor loading bars and warnings unless MACBENCH_VERBOSE=1."""
    if os.environ.get("MACBENCH_VERBOSE", "") == "1":
        yield
        return
    from transformers.utils import logging as hf_logging

    level = hf_logging.get_verbosity()
    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        hf_logging.set_verbosity(level)
        if bars:
            hf_logging.enable_progress_bar()


def load(
    name: str, device: str, dtype: torch.dtype, log: Callable[[str], None]
) -> tuple[Any, Any, str]:
    """The model, its tokenizer and its revision (content hash for local weights, the hub commit
    otherwise), from a preset, a local HF directory, a `.gguf` file or a hub id; each failure is
    one line naming what to pass instead."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    kwargs: dict[str, Any] = {}
    if name in presets.PRESETS:
        path = presets.resolve(name, log=log)
        where, revision = str(path), content_revision(path)
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
        revision = content_revision(path)
    elif factory.looks_like_path(name):
        raise model.ModelNotFoundError(str(factory.unavailable(name)))
    else:
        where, revision = name, "hub"
        # Hub ids: the local HF cache first; a download only when the Hub is reachable.
        kwargs["local_files_only"] = not _hub_reachable()
    log(f"loading {name} on {device} ({dtype})")
    try:
        with _quiet_loading():
            tokenizer = AutoTokenizer.from_pretrained(where, **kwargs)
            lm = AutoModelForCausalLM.from_pretrained(where, dtype=dtype, **kwargs)
    except (torch.OutOfMemoryError, MemoryError):
        raise model.ModelUnavailableError(
            f"out of memory loading {name} on {device}; try a smaller preset or dtype='bf16'"
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
    lm.to(device).eval()
    # Left padding: the last position of every row is then the next-token position.
    tokenizer.padding_side = "left"
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    return lm, tokenizer, revision
