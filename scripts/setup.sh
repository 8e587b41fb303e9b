#!/usr/bin/env bash
# Installs what the project needs, idempotently: the toolchain aws-lambda-ric compiles with, the npm
# packages (Node 24 comes with them, as the `node` devDependency), the Python tools (SAM CLI, moto
# server) in a virtualenv keyed by the hash of their pinned versions, and the generated sample events.
# Source it: it also sets PATH (and leaves the caller's shell options as they were).
# Not $(set +o): bash clears errexit inside command substitution, which would switch it off here.
caller_errexit=0; [[ $- == *e* ]] && caller_errexit=1
caller_nounset=0; [[ $- == *u* ]] && caller_nounset=1
caller_pipefail=0; shopt -qo pipefail && caller_pipefail=1
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

restore_caller_options() {
  [ "$caller_errexit" = 1 ] || set +e
  [ "$caller_nounset" = 1 ] || set +u
  [ "$caller_pipefail" = 1 ] || set +o pipefail
}

# aws-lambda-ric, the Node.js runtime interface client the local Lambda runs (tools/lambda/local-lambda.ts),
# has no prebuilt addon: npm compiles it (curl and aws-lambda-cpp) with these tools.
RIC_TOOLCHAIN="cmake g++ make autoconf automake libtool"
ric_tool_missing() {
  local tool
  for tool in cmake g++ make autoreconf automake libtoolize; do
    command -v "$tool" >/dev/null 2>&1 || { echo "$tool"; return 0; }
  done
  return 1
}

if [ ! -x node_modules/.bin/node ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  if ric_tool_missing >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "› installing the toolchain aws-lambda-ric compiles with (Debian packages $RIC_TOOLCHAIN)" >&2
    # shellcheck disable=SC2086 # one package a word
    { apt-get update -qq && apt-get install -y -qq $RIC_TOOLCHAIN; } >&2 || true
  fi
  if missing=$(ric_tool_missing); then
    echo "✗ $missing is missing: aws-lambda-ric (the local Lambda's runtime interface client) compiles on npm install with $RIC_TOOLCHAIN; install them (Debian: apt-get install $RIC_TOOLCHAIN), then run this again" >&2
    restore_caller_options
    return 1 2>/dev/null || exit 1
  fi
  echo "› installing npm packages" >&2
  # npm ci: exactly the committed lockfile, which it never rewrites (a clone stays clean). The lockfile
  # is committed as npm install writes it, other platforms' optional packages included, so it is in
  # sync on every platform; change it on purpose with npm install <package>@<version>.
  # Short fetch timeouts with retries: a stalled registry connection is retried, not waited out.
  npm ci --no-audit --no-fund --loglevel=error --fetch-timeout=60000 --fetch-retries=5 --fetch-retry-mintimeout=2000 >&2
fi

pins_hash=$(cat requirements-dev.txt constraints-dev.txt | sha256sum | cut -c1-12)
VENV="${VTC_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/vehicle-telemetry-consumer/venv-$pins_hash}"
# Outside the work tree: sam build copies the whole CodeUri (the project root) before bundling.
if [ ! -x "$VENV/bin/moto_server" ] || [ ! -x "$VENV/bin/sam" ]; then
  echo "› creating the Python virtualenv $VENV (SAM CLI, moto)" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints-dev.txt 2>&1 \
    | grep -v '^WARNING: Location' >&2 || true
  "$VENV/bin/sam" --version >&2
fi

# checkov in a virtualenv of its own: its pins and the SAM CLI's need not agree.
checkov_hash=$(cat requirements-checkov.txt constraints-checkov.txt | sha256sum | cut -c1-12)
CHECKOV_VENV="${VTC_CHECKOV_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/vehicle-telemetry-consumer/checkov-$checkov_hash}"
if [ ! -x "$CHECKOV_VENV/bin/checkov" ]; then
  echo "› creating the checkov virtualenv $CHECKOV_VENV" >&2
  python3 -m venv "$CHECKOV_VENV"
  "$CHECKOV_VENV/bin/pip" install --quiet --disable-pip-version-check -r requirements-checkov.txt -c constraints-checkov.txt 2>&1 \
    | grep -v '^WARNING: Location' >&2 || true
  "$CHECKOV_VENV/bin/checkov" --version >&2
fi
# The zstd tool is the second, independent reader of zstd deliveries in the tests (Debian's package).
if ! command -v zstd >/dev/null 2>&1; then
  echo "› installing zstd (Debian package)" >&2
  { apt-get update -qq && apt-get install -y -qq zstd; } >&2 || echo "› could not install zstd: the zstd delivery test will say so" >&2
fi

export CHECKOV="$CHECKOV_VENV/bin/checkov"
export SAM_PYTHON="$VENV/bin/python"

export PATH="$ROOT/node_modules/.bin:$VENV/bin:$PATH"
export MOTO_SERVER="$VENV/bin/moto_server"
export SAM_CLI_TELEMETRY=0

[ -f events/max-size-batch.json ] || node scripts/generate-events.ts

restore_caller_options
