#!/usr/bin/env bash
# Seeds the demo post #198 with a short threaded discussion, once: a
# database that already has the post is left as it is.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
PARLEY_DB_NAME="${1:-parley}" "$top/scripts/pg.sh" psql -X -q -v ON_ERROR_STOP=1 \
    -f "$top/scripts/seed-demo.sql"
