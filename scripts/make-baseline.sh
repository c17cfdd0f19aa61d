#!/usr/bin/env bash
# Measures a profile (default: ci) against the embedded echo server and stores it as the
# baseline that `grpc-stream-bench check --baseline` gates against.
#   scripts/make-baseline.sh [PROFILE] [OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${1:-ci}"
out="${2:-results/baselines/${profile}.json}"

npm run build --silent
node dist/cli/main.js sweep --profile "$profile" --out "$out"
echo "baseline written to $out; commit it, then gate with:"
echo "  node dist/cli/main.js check --profile $profile --baseline $out -t 'msgs_per_s regress < 10%' -t 'p99 regress < 15%' -t 'errors == 0'"
