#!/usr/bin/env bash
# Benchmark: e-mail. Posting throughput with reply notifications on and
# off (on must stay within 10%), and mails per second through a local
# SMTP server (npm smtp-server). tests/bench/mail.js says how; it writes
# bench-results/mail.txt and exits non-zero when a check fails.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
PARLEY_WITH_BENCH=1 PARLEY_WITH_NODE=1 "$top/scripts/deps.sh"
[ -d "$top/node_modules/smtp-server" ] || (cd "$top" && npm ci --no-audit --no-fund --loglevel=error)
"$top/scripts/pg.sh" start >/dev/null
exec node "$top/tests/bench/mail.js"
