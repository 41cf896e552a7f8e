#!/usr/bin/env bash
# start-s3rver.sh - start s3rver (npm devDependency) in the background on 127.0.0.1:$S3RVER_PORT and record its PID
# for stop-s3rver.sh. Tests start their own s3rver child anyway; this one is for demos and manual runs.
# Env: S3RVER_PORT (default 14568), S3RVER_STATE_DIR (default /tmp/curate-s3rver), S3RVER_BUCKETS (default "curate").
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
PORT=${S3RVER_PORT:-14568}
S=${S3RVER_STATE_DIR:-/tmp/curate-s3rver}
mkdir -p "$S/data"
if [ -s "$S/pid" ] && kill -0 "$(cat "$S/pid")" 2>/dev/null; then
  echo "[start-s3rver] already running (pid $(cat "$S/pid")): http://127.0.0.1:$PORT" >&2; exit 0
fi
bargs=(); for b in ${S3RVER_BUCKETS:-curate}; do bargs+=(--bucket "$b"); done
setsid node --openssl-legacy-provider "$HERE/s3rver.mjs" --port "$PORT" --dir "$S/data" "${bargs[@]}" \
  </dev/null >"$S/out.json" 2>"$S/err.log" &
echo $! > "$S/pid"
for _ in $(seq 1 100); do
  [ -s "$S/out.json" ] && { echo "[start-s3rver] ready: $(cat "$S/out.json") (keys S3RVER/S3RVER)" >&2; exit 0; }
  kill -0 "$(cat "$S/pid")" 2>/dev/null || { cat "$S/err.log" >&2; echo "[start-s3rver] exited" >&2; exit 1; }
  sleep 0.1
done
echo "[start-s3rver] not ready after 10 s" >&2; exit 1
