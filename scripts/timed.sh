#!/bin/sh
# Runs one phase of `make test` (or of the install) and says how long it took:
#   sh scripts/timed.sh NAME COMMAND [ARGS...]
# Each phase's line is also appended to $PHASES (if set), which `make test` prints at the end.
# The exit status is the command's.
set -u
name=$1
shift
start=$(date +%s)
"$@"
status=$?
took=$(( $(date +%s) - start ))
line=$(printf '%-18s %3dm%02ds%s' "$name" $((took / 60)) $((took % 60)) \
       "$( [ "$status" -eq 0 ] || echo "  (failed: exit $status)")")
echo "== phase $line"
if [ -n "${PHASES:-}" ]; then mkdir -p "$(dirname "$PHASES")" && echo "$line" >> "$PHASES"; fi
exit $status
