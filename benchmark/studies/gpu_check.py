"""GPU check of the transformers backend: batched choices, out-of-memory handling, recorded device.

    python -m benchmark.studies.gpu_check

No download: a tiny random Llama is built in process (`tiny_model.py`) and loaded by `HFModel` on
CUDA in bf16, the dtype `auto` picks there. Three checks, each one line:

1. batched == one by one: the same menus chosen in one batch and one at a time give the same picks
   and scores within `TOLERANCE` nats (bf16 rounds differently with other batch shapes);
2. out of memory: with the process capped to a sliver of the GPU, scoring a huge menu raises one
   clear `ModelUnavailableError` line (not a traceback, not a silent fallback);
3. the model reports `device == "cuda"` and `dtype == "bfloat16"` in `describe()`.

Prints a summary line and exits 0 when all pass, 1 otherwise; exits 0 with "skipped: no CUDA" on a
machine without a GPU. Takes well under a minute on one GPU.
"""

from __future__ import annotations

import sys
import tempfile

import torch

from agents.llm import hf, model
from benchmark.studies import tiny_model

TOLERANCE = 0.05
"""Nats; bf16 keeps ~3 significant digits, so log-probs of ~-20 differ by a few hundredths."""

PROMPT = "You play Crafter with a team. Rules: wood, table, pickaxe, stone, furnace, iron. "
MENUS = [
    model.ChoiceRequest(PROMPT + s, ("collect wood", "place table", "make wood pickaxe", "explore"))
    for s in ("Nearby: tree.", "Nearby: stone, table.", "Nearby: water, cow.", "Inventory: wood 3.")
]


def _check_batching(lm: hf.HFModel) -> tuple[bool, str]:
    batched = lm.choose(MENUS)
    single = [lm.choose([r])[0] for r in MENUS]
    gap = max(
        abs(a - b)
        for x, y in zip(batched, single, strict=True)
        for a, b in zip(x.scores, y.scores, strict=True)
    )
    same = [c.index for c in batched] == [c.index for c in single]
    return same and gap <= TOLERANCE, f"batched vs single: same picks={same}, max gap {gap:.4f}"


def _check_out_of_memory(lm: hf.HFModel) -> tuple[bool, str]:
    torch.cuda.empty_cache()
    torch.cuda.set_per_process_memory_fraction(0.001)
    lm.max_rows = 1_000_000  # one forward over every row: the cap makes it fail
    options = tuple(f"option number {i} " + "craft " * 100 for i in range(4000))
    try:
        lm.choose([model.ChoiceRequest(PROMPT + "word " * 200, options)])
    except model.ModelUnavailableError as error:
        line = str(error)
        return "\n" not in line and "out of memory" in line, f"out of memory: {line}"
    except Exception as error:  # noqa: BLE001 - any other error is the failure being checked
        return False, f"out of memory: wrong error {type(error).__name__}: {error}"
    finally:
        torch.cuda.set_per_process_memory_fraction(1.0)
        torch.cuda.empty_cache()
    return False, "out of memory: no error raised (cap too generous?)"


def main() -> int:
    if not torch.cuda.is_available():
        print("skipped: no CUDA")
        return 0
    with tempfile.TemporaryDirectory() as folder:
        directory = tiny_model.build_tiny_model(folder)
        lm = hf.HFModel(directory, device="auto", dtype="auto", cache=None)
        described = lm.describe()
        results = [
            (
                described["device"].startswith("cuda") and described["dtype"] == "bfloat16",
                f"recorded device {described['device']}, dtype {described['dtype']}",
            ),
            _check_batching(lm),
            _check_out_of_memory(lm),
        ]
    for ok, line in results:
        print(("PASS " if ok else "FAIL ") + line)
    passed = sum(ok for ok, _ in results)
    print(f"gpu_check: {passed}/{len(results)} passed on {torch.cuda.get_device_name(0)}")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
