#!/usr/bin/env bash
# Runs pulumi for a lab stack (default: dev), after setting up what is missing.
#   bash scripts/lab.sh up [stack]        create or update the lab
#   bash scripts/lab.sh <pulumi args...>  anything else, e.g. preview --diff, refresh, destroy
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
stack="${OVNLAB_STACK:-dev}"
mkdir -p .pulumi-state
pulumi stack select --create "$stack" --non-interactive >/dev/null
case "${1:-up}" in
  up) shift || true; exec pulumi up --yes --non-interactive --stack "$stack" "$@" ;;
  destroy) shift; exec pulumi destroy --yes --non-interactive --stack "$stack" "$@" ;;
  *) exec pulumi --stack "$stack" "$@" ;;
esac
