# Sourced by the project's scripts: the Pulumi toolchain on PATH, a local
# state backend (Pulumi.yaml), and the lab stacks' documented passphrase.
# Labs hold no real secrets; set PULUMI_CONFIG_PASSPHRASE yourself to use another.
OVNLAB_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$(bash "$OVNLAB_ROOT/scripts/install-pulumi.sh" 2>/dev/null):$PATH"
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-ovnlab}"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DIY_BACKEND_NO_LEGACY_WARNING=true
