#!/usr/bin/env bash
# Imports a WordPress (WXR), Disqus or Parley export with
# build/parley-import, in
# one transaction, and prints its report (JSON). See README, Import.
#   import.sh FILE FORMAT KEY REMAP DBNAME
# FORMAT wxr|disqus|parley ("" guesses from the file's start), KEY id|path
# ("": id), REMAP a file of "OLD NEW" lines or "".
# DBNAME is a database of the local cluster; "" with PARLEY_CONF set
# means production's (its `database` line), as for migrate.sh.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
file="${1:-}" format="${2:-}" key="${3:-}" remap="${4:-}" dbname="${5:-}"
if [ -z "$file" ]; then
	echo "usage: make import FILE=export.xml[.gz] [FORMAT=wxr|disqus|parley]" \
	    "[KEY=id|path] [REMAP=moved.txt]" >&2
	exit 2
fi
[ -r "$file" ] || { echo "import: cannot read $file" >&2; exit 2; }
if [ -z "$format" ]; then
	# The start tells: Parley's header line, Disqus's <disqus> root
	# element, else WordPress's <rss>.
	start=$(zcat -f -- "$file" 2>/dev/null | head -c 4096 | tr -d '\0' || true)
	case "$start" in
	*'"parley-export"'*) format=parley ;;
	*'<disqus'*) format=disqus ;;
	*) format=wxr ;;
	esac
fi
. "$top/scripts/conninfo.sh"
parley_conninfo "$dbname" || { echo "import: no database" >&2; exit 2; }
args=(-f "$format" -k "${key:-id}")
[ -n "$remap" ] && args+=(-r "$remap")
PARLEY_DATABASE="$conn" exec "$top/build/parley-import" "${args[@]}" "$file"
