#!/usr/bin/env bash
# Checks the system packages Unsaid needs and installs the missing ones with apt-get when run
# as root on Debian/Ubuntu; otherwise says exactly what to install. Run by `make`.
set -euo pipefail

missing=()
have_curl_headers() {
    pkg-config --exists libcurl 2>/dev/null && return 0
    for dir in /usr/include /usr/include/x86_64-linux-gnu /usr/include/aarch64-linux-gnu /usr/local/include; do
        [ -f "$dir/curl/curl.h" ] && return 0
    done
    return 1
}
have_curl_headers || missing+=(libcurl4-openssl-dev)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv)

if ! command -v swift >/dev/null 2>&1; then
    echo "error: the Swift toolchain (swift 6.0 or newer) is not on PATH; install it from swift.org" >&2
    exit 1
fi

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing missing system packages: ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
else
    echo "error: missing system packages: ${missing[*]}" >&2
    echo "       install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi
