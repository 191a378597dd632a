#!/usr/bin/env bash
# Puts a Pulumi CLI, its Node.js language host and the dynamic-provider launcher
# in a cache directory and prints that directory's bin/ (add it to PATH).
#
# The CLI cannot be downloaded on the project's machines, but it is a Go module:
# we build it from the Go module proxy. The build is cached; a second run only
# checks versions. Set OVNLAB_PULUMI_SOURCE=official on a machine with internet
# to use Pulumi's own installer instead (auto does that when there is no Go).
set -euo pipefail

PULUMI_VERSION="${OVNLAB_PULUMI_VERSION:-3.259.0}"
SOURCE="${OVNLAB_PULUMI_SOURCE:-auto}"
CACHE="${OVNLAB_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ovnlab}/pulumi-v${PULUMI_VERSION}"
BIN="$CACHE/bin"

SCRATCH="$(mktemp -d)"
trap 'rm -rf "$SCRATCH"' EXIT

log() { printf '[install-pulumi] %s\n' "$*" >&2; }

have_built() {
  [[ -x "$BIN/pulumi" && -x "$BIN/pulumi-language-nodejs" && -x "$BIN/pulumi-resource-pulumi-nodejs" ]] &&
    [[ "$("$BIN/pulumi" version 2>/dev/null)" == "v${PULUMI_VERSION}" ]]
}

write_dynamic_provider_launcher() {
  # The engine runs this for every dynamic provider; upstream ships the same
  # two-line script. It resolves @pulumi/pulumi from the program's directory.
  cat >"$BIN/pulumi-resource-pulumi-nodejs" <<'LAUNCHER'
#!/bin/sh
exec node ./node_modules/@pulumi/pulumi/cmd/dynamic-provider "$@"
LAUNCHER
  chmod +x "$BIN/pulumi-resource-pulumi-nodejs"
}

# go_build PACKAGE OUTPUT LDFLAGS MODULE@VERSION...
# Builds PACKAGE from a throwaway wrapper module that requires the given
# modules: upstream go.mod files carry `replace ... => ../sdk`, which makes
# `go install pkg@version` refuse them. The first module's other `replace`
# lines (forks it depends on) are copied.
go_build() {
  local package="$1" output="$2" ldflags="$3"
  shift 3
  local work gomod
  work="$(mktemp -d -p "$SCRATCH")"
  gomod="$(cd "$work" && go mod download -json "$1" | sed -n 's/^\s*"GoMod": "\(.*\)",$/\1/p')"
  {
    echo "module ovnlab.local/pulumi-build"
    echo
    grep -E '^go [0-9]' "$gomod"
    echo
    echo "require ("
    for module in "$@"; do echo "  ${module/@/ }"; done
    echo ")"
    grep -E '^replace .*=>' "$gomod" | grep -v '=> \.' || true
  } >"$work/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$package" >"$work/tools.go"
  (cd "$work" && GOFLAGS=-mod=mod go mod tidy)
  (cd "$work" && GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$output" "$package")
}

# The Node.js language host's own module (sdk/nodejs/cmd/pulumi-language-nodejs/v3)
# is refused by the module proxy at every version ("403 This module version is
# not available"). Its last release inside the sdk/v3 module, v3.68.0, serves
# the current CLI and @pulumi/pulumi: the language-host protocol is stable.
LANGUAGE_HOST_SDK="${OVNLAB_LANGUAGE_HOST_SDK:-v3.68.0}"

build_from_go_modules() {
  command -v go >/dev/null || { log "no Go toolchain: install Go or set OVNLAB_PULUMI_SOURCE=official"; exit 1; }
  mkdir -p "$BIN"
  local version_flag="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version"
  local started=$SECONDS
  log "building pulumi v${PULUMI_VERSION} from Go modules into $BIN (first time only, ~7 min on 2 cores)"
  go_build github.com/pulumi/pulumi/pkg/v3/cmd/pulumi "$BIN/pulumi" "$version_flag=v${PULUMI_VERSION}" \
    "github.com/pulumi/pulumi/pkg/v3@v${PULUMI_VERSION}" "github.com/pulumi/pulumi/sdk/v3@v${PULUMI_VERSION}"
  go_build github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs "$BIN/pulumi-language-nodejs" \
    "$version_flag=${LANGUAGE_HOST_SDK}" "github.com/pulumi/pulumi/sdk/v3@${LANGUAGE_HOST_SDK}"
  write_dynamic_provider_launcher
  log "built in $((SECONDS - started)) s; $(du -sh "$BIN" | cut -f1) in $BIN"
}

install_official() {
  mkdir -p "$CACHE"
  curl -fsSL https://get.pulumi.com | sh -s -- --version "$PULUMI_VERSION" --install-root "$CACHE" --no-edit-path >&2
}

# The Pulumi YAML language host (its Go module has no replace lines): the proof
# that ovnlab's provider and schema serve other Pulumi languages (test/e2e/yamlProgram.test.ts).
YAML_VERSION="${OVNLAB_PULUMI_YAML_VERSION:-v1.25.0}"
build_yaml_language_host() {
  local started=$SECONDS
  log "building pulumi-language-yaml ${YAML_VERSION} from its Go module (first time only, ~3 min on 2 cores)"
  go_build github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml "$BIN/pulumi-language-yaml" \
    "-s -w -X github.com/pulumi/pulumi-yaml/pkg/version.Version=${YAML_VERSION}" "github.com/pulumi/pulumi-yaml@${YAML_VERSION}"
  echo "$YAML_VERSION" >"$BIN/pulumi-language-yaml.version"
  log "built in $((SECONDS - started)) s"
}

if have_built; then
  log "pulumi v${PULUMI_VERSION} already in $BIN"
else
  case "$SOURCE" in
    official) install_official ;;
    go) build_from_go_modules ;;
    auto) if command -v go >/dev/null; then build_from_go_modules; else install_official; fi ;;
    *) log "OVNLAB_PULUMI_SOURCE must be auto, go or official (got '$SOURCE')"; exit 2 ;;
  esac
  [[ -x "$BIN/pulumi-resource-pulumi-nodejs" ]] || write_dynamic_provider_launcher
fi
if [[ "$SOURCE" != official && ( ! -x "$BIN/pulumi-language-yaml" || "$(cat "$BIN/pulumi-language-yaml.version" 2>/dev/null)" != "$YAML_VERSION" ) ]]; then
  if command -v go >/dev/null; then build_yaml_language_host; else log "no Go toolchain: the YAML language host is not built"; fi
fi
echo "$BIN"
