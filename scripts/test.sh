#!/usr/bin/env bash
# The test command: sets up what is missing, type-checks, then runs the unit,
# integration (real OVS/OVN/Docker, as root) and end-to-end (real Pulumi CLI) tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
npx tsc --noEmit
npx vitest run "$@"
