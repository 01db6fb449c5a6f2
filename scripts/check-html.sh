#!/usr/bin/env bash
# Renders an Unsaid HTML report in headless Chromium and fails when the page does not work:
# a console error (uncaught exception, Content-Security-Policy violation), a script that did not
# run, or an empty body. With a second argument, also saves a PNG screenshot of the page.
#
#   scripts/check-html.sh report.html [screenshot.png]
#
# Uses $CHROMIUM, else chromium / chromium-browser / google-chrome on PATH (Debian: apt-get
# install chromium). Exit 0 ok, 1 the page is broken, 2 usage or no browser.
# CHECK_HTML_FRAGMENT=verdict=retracted opens FILE#verdict=retracted (a pre-filled filter);
# CHECK_HTML_DOM=out.html keeps the rendered DOM for further checks. The page is laid out at
# 1280 px wide (CHECK_HTML_WIDTH), the width the report is designed to fit without scrolling.
set -euo pipefail

file=${1:-}
screenshot=${2:-}
if [ -z "$file" ] || [ ! -f "$file" ]; then
  echo "usage: scripts/check-html.sh FILE.html [SCREENSHOT.png]" >&2
  exit 2
fi
browser=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}
if [ -z "$browser" ]; then
  echo "check-html: no chromium found (apt-get install chromium, or set CHROMIUM)" >&2
  exit 2
fi

url="file://$(realpath "$file")${CHECK_HTML_FRAGMENT:+#$CHECK_HTML_FRAGMENT}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
flags=(--headless --disable-gpu --no-sandbox --disable-dev-shm-usage --no-first-run --no-default-browser-check
       --disable-extensions --disable-background-networking --disable-component-update --disable-sync
       --user-data-dir="$work/profile" --enable-logging=stderr --v=0 --virtual-time-budget=3000)

if ! "$browser" "${flags[@]}" --window-size="${CHECK_HTML_WIDTH:-1280},1000" --dump-dom "$url" >"$work/dom.html" 2>"$work/console.log"; then
  echo "check-html: chromium failed to render $file" >&2
  cat "$work/console.log" >&2
  exit 1
fi

status=0
if [ -n "${CHECK_HTML_DOM:-}" ]; then cp "$work/dom.html" "$CHECK_HTML_DOM"; fi
# Console messages and CSP violations, as Chromium logs them with --enable-logging=stderr.
if grep -E "Uncaught|ERROR:CONSOLE|Refused to (execute|load|apply|connect)|Content Security Policy" "$work/console.log" >"$work/errors.log"; then
  echo "check-html: console errors in $file:" >&2
  cat "$work/errors.log" >&2
  status=1
fi
# The report's script marks the document when it has run; a CSP hash mismatch or a syntax
# error leaves the mark out.
if ! grep -q 'data-ready="true"' "$work/dom.html"; then
  echo "check-html: the page script did not run (no data-ready mark in the rendered DOM)" >&2
  status=1
fi
# Visible text in the body, scripts and styles aside.
text=$(tr '\n' ' ' <"$work/dom.html" | sed -e 's/.*<body[^>]*>//' -e 's/<\/body>.*//' \
  -e 's/<script[^>]*>[^<]*<\/script>//g' -e 's/<style[^>]*>[^<]*<\/style>//g' -e 's/<[^>]*>//g' | tr -d '[:space:]')
if [ "${#text}" -lt 20 ]; then
  echo "check-html: the rendered body of $file is empty" >&2
  status=1
fi

if [ -n "$screenshot" ]; then
  "$browser" "${flags[@]}" --hide-scrollbars --window-size=1280,${UNSAID_SCREENSHOT_HEIGHT:-2200} \
    --screenshot="$(realpath -m "$screenshot")" "$url" >/dev/null 2>>"$work/console.log" || status=1
fi

if [ "$status" -eq 0 ]; then
  echo "check-html: $file renders (${#text} characters of text, no console errors)"
fi
exit "$status"
