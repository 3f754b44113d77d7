#!/usr/bin/env bash
# Writes the lines `make <target>` prints to $GITHUB_OUTPUT as a JSON array named <target>,
# so a job matrix follows the repository (`make members`, `make stacks`) with no workflow edit.
set -euo pipefail
target="$1"
list=$(make --silent --no-print-directory "$target" \
  | python3 -c 'import json, sys; print(json.dumps(sys.stdin.read().split()))')
echo "$target=$list" >> "$GITHUB_OUTPUT"
