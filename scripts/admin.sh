#!/usr/bin/env bash
# `make admin EMAIL=a@example.org [PASSWORD=...]`: creates the account as an
# admin, or promotes an existing one (setting its password when one is
# given). Without PASSWORD a new account gets a generated one, printed once.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
email="${1:-}" password="${2:-}" db="${3:-parley}"
[ -n "$email" ] || { echo "usage: make admin EMAIL=you@example.org [PASSWORD=...]" >&2; exit 2; }

exists=$(PARLEY_DB_NAME="$db" "$top/scripts/pg.sh" psql -X -q -tA -v ON_ERROR_STOP=1 \
    -v email="$email" <<'SQL'
SELECT count(*) FROM users WHERE lower(email) = lower(:'email');
SQL
)
generated=""
if [ -n "$password" ]; then
	hash=$(printf '%s\n' "$password" | "$top/build/parley-passwd")
elif [ "$exists" = 0 ]; then
	out=$("$top/build/parley-passwd" --generate)
	generated=$(sed -n 1p <<<"$out")
	hash=$(sed -n 2p <<<"$out")
else
	hash=""	# promote only: the password stays as it is
fi

# psql's :'var' quotes each value as a literal: no SQL is built from input.
PARLEY_DB_NAME="$db" "$top/scripts/pg.sh" psql -X -q -tA -v ON_ERROR_STOP=1 \
    -v email="$email" -v hash="$hash" -v name="${email%%@*}" >/dev/null <<'SQL'
SELECT user_make_admin(:'email', nullif(:'hash', ''), :'name');
SQL
if [ -n "$generated" ]; then
	echo "admin: created $email with password: $generated"
	echo "admin: it is shown only now; log in and keep it somewhere safe."
elif [ "$exists" = 0 ]; then
	echo "admin: created $email"
else
	echo "admin: $email is an admin$( [ -n "$password" ] && echo ", with the new password" )"
fi
