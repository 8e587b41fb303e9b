#!/usr/bin/env bash
# The main job on this machine: install what is needed, build the function with the SAM CLI, then
# run the built bundle on the sample events against a local AWS emulator (moto) it starts itself.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
bash scripts/build.sh
node scripts/demo.ts "$@"
