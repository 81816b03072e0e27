#!/usr/bin/env bash
# Builds what Parley serves into build/assets/ (`make build` runs it):
# assets/ as written, except the widget's two scripts, embed.js and
# count.js, which esbuild minifies, each with its source map beside it
# (embed.js.map, named in the script's last line). Readers download the
# minified files; tests/browser/budget.test.js weighs what the server
# sends. Parley reads one flat folder (assets_dir), so this is one too.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out="$top/build/assets"
esbuild="$top/node_modules/.bin/esbuild"
[ -x "$esbuild" ] || {
	echo "build-assets: $esbuild is missing: run npm ci (make does)" >&2
	exit 1
}

# Built aside, then put in place whole.
rm -rf "$out.tmp"
mkdir -p "$out.tmp"
cp -p "$top"/assets/* "$out.tmp"/
for f in embed.js count.js; do
	"$esbuild" "$top/assets/$f" --outfile="$out.tmp/$f" --minify \
	    --charset=utf8 --sourcemap --log-level=warning
done
rm -rf "$out"
mv "$out.tmp" "$out"
