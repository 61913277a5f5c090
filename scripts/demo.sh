#!/usr/bin/env bash
# Sets everything up, then runs the main demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npx nx run tftp-demo:demo --outputStyle=stream
