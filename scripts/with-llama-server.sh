#!/usr/bin/env bash
# Usage: with-llama-server.sh PYTHON MODEL COMMAND [ARG…]
# Starts the embedded llama.cpp server on a free loopback port, runs COMMAND with
# OPENAI_BASE_URL pointing at it, then stops the server whatever COMMAND did.
set -euo pipefail
python=$1
model=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)

out=$(mktemp)
log=$(mktemp)
"$python" "$here/llama_server.py" --model "$model" --stay >"$out" 2>"$log" &
pid=$!
cleanup() {
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    rm -f "$out" "$log"
}
trap cleanup EXIT

for _ in $(seq 1 900); do
    grep -q '^READY ' "$out" && break
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "error: the local llama.cpp server failed to start:" >&2
        tail -n 20 "$log" >&2
        exit 1
    fi
    sleep 0.2
done
port=$(awk '/^READY /{print $2; exit}' "$out")
if [ -z "$port" ]; then
    echo "error: the local llama.cpp server did not report ready within 180 s" >&2
    exit 1
fi
echo "local llama.cpp server (gemma3 270M) listening on 127.0.0.1:$port" >&2
export OPENAI_BASE_URL="http://127.0.0.1:$port/v1"
"$@"
