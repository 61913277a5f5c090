#!/usr/bin/env bash
# Sets everything up, then builds, lints and tests every project (nx), and
# closes with the number of tests that passed across the projects.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
log=$(mktemp)
trap 'rm -f "$log"' EXIT
npx nx run-many -t build lint test --outputStyle=stream --skipNxCache "$@" 2>&1 | tee "$log"
# vitest: "Tests  N passed | M skipped (T)"; the C tests: "N passed, M failed".
sed 's/\x1b\[[0-9;]*m//g' "$log" | awk '
  / Tests +[0-9]+ passed/ { for (i = 1; i <= NF; i++) { if ($(i+1) == "passed") passed += $i; if ($(i+1) == "skipped") skipped += $i; if ($(i+1) == "failed") failed += $i } }
  /^[a-z-]+: [0-9]+ passed, [0-9]+ failed$/ { passed += $2; failed += $4 }
  END { printf "tests: %d passed, %d failed, %d skipped\n", passed, failed, skipped }'
