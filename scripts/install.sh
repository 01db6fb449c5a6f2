#!/usr/bin/env bash
# Installs a built unsaid binary with what it needs at run time, under PREFIX:
#   PREFIX/bin/unsaid
#   PREFIX/share/unsaid/Rules        the ruleset the binary scores with
#   PREFIX/share/unsaid/Probes       the bundled probe library
#   PREFIX/share/unsaid/Tables       the tables of the prompt transforms (pinyin, traditional, …)
#   PREFIX/share/man/man1/unsaid.1   the man page (from the binary's own help tree)
#   PREFIX/share/bash-completion/completions/unsaid, zsh/site-functions/_unsaid,
#   fish/vendor_completions.d/unsaid.fish
# Usage: scripts/install.sh BINARY PREFIX   (run from the checkout; `make install` calls it)
set -euo pipefail
binary=$1
prefix=$2
root=$(cd "$(dirname "$0")/.." && pwd)
version=$(sed -n 's/.*string = "\(.*\)".*/\1/p' "$root/Sources/UnsaidSupport/UnsaidVersion.swift")

install -d "$prefix/bin" "$prefix/share/unsaid" "$prefix/share/man/man1" \
  "$prefix/share/bash-completion/completions" "$prefix/share/zsh/site-functions" \
  "$prefix/share/fish/vendor_completions.d"
install -m 0755 "$binary" "$prefix/bin/unsaid"
rm -rf "$prefix/share/unsaid/Rules" "$prefix/share/unsaid/Probes" "$prefix/share/unsaid/Tables"
cp -R "$root/Sources/UnsaidVerdict/Rules" "$prefix/share/unsaid/Rules"
cp -R "$root/Sources/UnsaidSuite/Transforms/Tables" "$prefix/share/unsaid/Tables"
cp -R "$root/Probes" "$prefix/share/unsaid/Probes"
"$prefix/bin/unsaid" --experimental-dump-help | python3 "$root/scripts/gen-manpage.py" "$version" \
  > "$prefix/share/man/man1/unsaid.1"
"$prefix/bin/unsaid" --generate-completion-script bash > "$prefix/share/bash-completion/completions/unsaid"
"$prefix/bin/unsaid" --generate-completion-script zsh > "$prefix/share/zsh/site-functions/_unsaid"
"$prefix/bin/unsaid" --generate-completion-script fish > "$prefix/share/fish/vendor_completions.d/unsaid.fish"
echo "installed unsaid $version in $prefix"
