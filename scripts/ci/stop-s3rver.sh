#!/usr/bin/env bash
# stop-s3rver.sh [--purge] - stop the s3rver started by start-s3rver.sh (by its recorded PID).
set -uo pipefail
S=${S3RVER_STATE_DIR:-/tmp/curate-s3rver}
if [ -s "$S/pid" ]; then
  pid=$(cat "$S/pid")
  if tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q s3rver.mjs; then
    kill -TERM "$pid"; for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    echo "[stop-s3rver] stopped $pid" >&2
  fi
  rm -f "$S/pid"
fi
[ "${1:-}" = --purge ] && rm -rf "$S"
exit 0
