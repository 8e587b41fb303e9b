#!/usr/bin/env bash
# Security checks on both stacks as CloudFormation sees them: translate the SAM templates with the
# SAM translator, then run checkov on the result. Every suppression is in the template's resource
# Metadata with its reason; any other failed check fails this script.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-eu-west-1}" "$SAM_PYTHON" tools/templates/translate-templates.py .tmp/cfn >&2
"$CHECKOV" -d .tmp/cfn --framework cloudformation --skip-download --compact --quiet -o cli
