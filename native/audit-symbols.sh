#!/usr/bin/env bash
# Symbol audit for the Bun build of the Kafka addon. Bun resolves an addon's undefined symbols
# lazily, so a missing one only shows as a crash at its first call: check them all at build time.
#   audit-symbols.sh BUN_BINARY ADDON.node...
# Fails when an addon leaves a uv_* function for Bun (Bun's are panic stubs: bun-uv-shim.cc must
# define it), or needs a symbol that neither Bun nor the addon's own shared libraries export.
# Prints what is missing; changes nothing.
set -euo pipefail

bun_bin=$1
shift

defined_dynamic() { nm -D --defined-only "$1" | awk '{ sub(/@.*/, "", $3); print $3 }'; }

# Paths of an addon's NEEDED libraries, from the linker cache read once into $tmp/ldcache
# (awk reads it whole: an early exit would SIGPIPE a live ldconfig under pipefail).
needed_libs() {
  readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | while read -r lib; do
    awk -v l="$lib" '$1 == l && /x86-64|AArch64/ && !found { print $NF; found = 1 }' \
      "$tmp/ldcache"
  done
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ldconfig -p >"$tmp/ldcache"
defined_dynamic "$bun_bin" | sort -u >"$tmp/bun"
status=0
for addon in "$@"; do
  name=$(basename "$addon")
  nm -D --undefined-only "$addon" | awk '$1 == "U" { sub(/@.*/, "", $2); print $2 }' |
    sort -u >"$tmp/undefined"
  if grep -q '^uv_' "$tmp/undefined"; then
    echo "audit: $name leaves libuv functions to Bun's stubs (define them in bun-uv-shim.cc):" >&2
    grep '^uv_' "$tmp/undefined" | sed 's/^/  /' >&2
    status=1
  fi
  cp "$tmp/bun" "$tmp/provided"
  while read -r lib; do
    [ -n "$lib" ] && defined_dynamic "$lib" >>"$tmp/provided"
  done < <(needed_libs "$addon")
  sort -u -o "$tmp/provided" "$tmp/provided"
  comm -23 "$tmp/undefined" "$tmp/provided" >"$tmp/missing"
  if [ -s "$tmp/missing" ]; then
    echo "audit: $name needs symbols that Bun does not export (define them in bun-v8-shim.cc):" >&2
    c++filt <"$tmp/missing" | sed 's/^/  /' >&2
    status=1
  fi
done
exit "$status"
