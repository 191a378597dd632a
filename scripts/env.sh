# Sourced by the project's scripts: the Pulumi toolchain on PATH, a local
# state backend (Pulumi.yaml), and the lab stacks' documented passphrase.
# Labs hold no real secrets; set PULUMI_CONFIG_PASSPHRASE yourself to use another.
OVNLAB_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$(bash "$OVNLAB_ROOT/scripts/install-pulumi.sh" 2>/dev/null):$PATH"
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-ovnlab}"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DIY_BACKEND_NO_LEGACY_WARNING=true
# The file backend rewrites the whole state after every step (a 1000-port lab: minutes); ovnlab writes it
# once per operation instead. Safe because every create adopts what exists and every delete tolerates what is
# gone: a run killed with SIGKILL is converged by the next up (docs/reliability.md). Set it to false to keep
# per-step checkpoints.
export PULUMI_SKIP_CHECKPOINTS="${PULUMI_SKIP_CHECKPOINTS-true}"
# ovnlab's provider comes with the project (Pulumi.yaml plugins:); never try to download one.
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
