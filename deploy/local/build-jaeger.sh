#!/usr/bin/env bash
# Builds Jaeger v2 from the Go module proxy into the project cache, once.
#
#   build-jaeger.sh VERSION DEST
#
# github.com/jaegertracing/jaeger keeps v1 tags for the v2 binary: module
# v1.76.0 is Jaeger v2.13.0, whose cmd/jaeger is itself a collector
# distribution. `go install module@version` refuses it (its go.mod has
# replace directives), so the module's source is taken from the module cache
# and built as its own main module, never inside this project's go.mod (its
# collector dependencies are older than ours). About 5 minutes on 2 cores;
# the binary (~120 MB) appears at DEST only once it is complete.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 VERSION DEST" >&2
  exit 2
fi
version=$1 dest=$2
module=github.com/jaegertracing/jaeger
[ -x "$dest" ] && exit 0

mkdir -p "$(dirname "$dest")"
work=$(mktemp -d "$(dirname "$dest")/.build.XXXXXX")
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT

echo "building Jaeger ($module@$version) into $dest (once; a few minutes)" >&2
if ! info=$(go mod download -json "$module@$version" 2>&1); then
  echo "error: the Go module proxy did not serve $module@$version:" >&2
  echo "$info" | sed 's/^/    /' >&2
  echo "       Check GOPROXY ('go env GOPROXY') and that this version is served; the" >&2
  echo "       environment notes list v1.76.0 (Jaeger v2.13.0). Change JAEGER_VERSION in the" >&2
  echo "       Makefile (and stack.JaegerVersion) only to a version the proxy serves." >&2
  exit 1
fi
src=$(printf '%s\n' "$info" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')
if [ -z "$src" ] || [ ! -d "$src" ]; then
  echo "error: 'go mod download' gave no source directory for $module@$version" >&2
  exit 1
fi
cp -r "$src" "$work/src"
chmod -R u+w "$work/src"
if ! (cd "$work/src" && go build -trimpath -o "$work/jaeger" ./cmd/jaeger); then
  echo "error: building $module@$version failed (see above). A dependency the module proxy" >&2
  echo "       does not serve shows as '403 Forbidden'; nothing was installed." >&2
  exit 1
fi
mv "$work/jaeger" "$dest"
echo "built $dest" >&2
