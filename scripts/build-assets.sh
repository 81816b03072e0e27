#!/usr/bin/env bash
# Builds what Parley serves into build/assets/ (`make build` runs it):
# assets/ as written, except the widget's two scripts, embed.js and
# count.js, which esbuild minifies, each with its source map beside it
# (embed.js.map, named in the script's last line), and the widget's
# words in languages other than English, assets/embed-LANG.json, which
# become embed-LANG.js: the same JSON without its spaces, which embed.js
# fetches for a page in that language (named .js, as Parley serves no
# .json). Readers download the minified files;
# tests/browser/budget.test.js weighs what the server sends. Parley
# reads one flat folder (assets_dir), so this is one too.
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
for f in "$top"/assets/embed-*.json; do
	name=$(basename "$f" .json)
	node -e 'const fs = require("fs");
		fs.writeFileSync(process.argv[2],
		    JSON.stringify(JSON.parse(fs.readFileSync(process.argv[1], "utf8"))));' \
	    "$f" "$out.tmp/$name.js"
	rm "$out.tmp/$name.json"
done
rm -rf "$out"
mv "$out.tmp" "$out"
