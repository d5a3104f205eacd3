#!/usr/bin/env bash
# Slow checks that CI skips: learning tests, real-model episodes, seed sweeps (CPU minutes each),
# the store's kill -9 and copy test, the Ray backend on a loopback head node, and the episode
# viewer in headless chromium (apt-get install -y chromium; skipped without it).
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python -m pytest -m slow -s -q "$@"
