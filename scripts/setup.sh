#!/usr/bin/env bash
# Create .venv beside this repo and install macbench with the given extras (default: all).
# Usage: bash scripts/setup.sh [EXTRAS]      e.g. bash scripts/setup.sh rl,dev
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-all}"
python="${PYTHON:-python3.11}"
command -v "$python" >/dev/null 2>&1 || python=python3
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
# torch first and pinned: a bare requirement pulls a multi-GB CUDA build on a CPU machine.
case "$extras" in
  *all*|*rl*|*llm*) .venv/bin/python -m pip install -q "torch==2.13.0" ;;
esac
.venv/bin/python -m pip install -q -e ".[${extras}]"
# marl-eval's own loader checks our export (tests/benchmark/test_export.py). Its declared
# dependencies pin an old pandas that does not build here; the loader needs none we lack.
case "$extras" in
  *all*|*bench*) .venv/bin/python -m pip install -q --no-deps "id-marl-eval==0.0.4" colorama ;;
esac
echo "macbench installed in .venv with extras [${extras}]"
