#!/usr/bin/env bash
# Installs the Debian packages Parley needs to build, run and test, if any
# are missing. Uses apt-get as root, sudo otherwise; says what to do when
# neither works. Quiet when everything is already there.
set -euo pipefail

packages=(kore libsodium-dev libjansson-dev libmd4c-dev libunistring-dev
	libcriterion-dev libcurl4-openssl-dev zlib1g-dev libpq-dev libxml2-dev postgresql
	curl pkg-config gcc make openssl nodejs npm)
[ "${PARLEY_WITH_BROWSER:-0}" = 1 ] && packages+=(chromium nodejs npm)
[ "${PARLEY_WITH_BENCH:-0}" = 1 ] && packages+=(wrk postgresql-contrib python3)
# Integration tests: node, a real nginx in front of Parley, promtool
# (Debian's prometheus package) to check /metrics, and a real PgBouncer
# between Parley and PostgreSQL.
[ "${PARLEY_WITH_NODE:-0}" = 1 ] && packages+=(nodejs npm nginx libxml2-utils prometheus pgbouncer)
# Style checks: Debian's clang-format (14 on Debian 12, which .clang-format
# is written for).
[ "${PARLEY_WITH_LINT:-0}" = 1 ] && packages+=(clang-format)
# Fuzzing: clang, and libFuzzer with clang 14's sanitizer runtimes.
[ "${PARLEY_WITH_FUZZ:-0}" = 1 ] && packages+=(clang libclang-rt-14-dev)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q 'install ok installed' || missing+=("$p")
done
# The node we need may come from outside Debian (nodesource, nvm): accept it.
if command -v node >/dev/null && command -v npm >/dev/null; then
	filtered=()
	for p in "${missing[@]}"; do
		case "$p" in nodejs|npm) ;; *) filtered+=("$p");; esac
	done
	missing=("${filtered[@]+"${filtered[@]}"}")
fi
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then
	run=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
	run=(sudo)
else
	echo "deps: missing packages: ${missing[*]}" >&2
	echo "deps: run as root, or install them: apt-get install ${missing[*]}" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# An old or empty package list makes apt-get miss packages: refresh once.
"${run[@]}" apt-get update -qq
"${run[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
