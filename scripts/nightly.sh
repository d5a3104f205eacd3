#!/usr/bin/env bash
# Slow checks that CI skips: end-to-end runs and learning tests (a few CPU minutes each).
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python -m pytest -m slow -s -q tests/baselines/test_learning.py "$@"
