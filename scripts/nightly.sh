#!/usr/bin/env bash
# Slow checks that CI skips: learning tests, real-model episodes, seed sweeps (CPU minutes each).
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python -m pytest -m slow -s -q "$@"
