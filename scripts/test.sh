#!/usr/bin/env bash
# Sets everything up, then builds, lints and tests every project (nx).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npx nx run-many -t build lint test --outputStyle=stream --skipNxCache "$@"
echo "kcache: build, lint and test passed for every project"
