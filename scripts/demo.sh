#!/usr/bin/env bash
# The main job on this machine: install what is needed, build the function with the SAM CLI, then run
# the whole pipeline (fleet simulator → Kinesis → local trigger → built bundle → Firehose → S3)
# against a local AWS emulator it starts itself, and reconcile it. Options: npm run pipeline -- --help
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
# The options first: a mistake is one line and exit 2 now, not after the build; --help stops here.
node scripts/pipeline.ts --check-options "$@"
for arg in "$@"; do case $arg in --help | -h) exit 0 ;; --) break ;; esac; done
bash scripts/build.sh
node scripts/pipeline.ts "$@"
