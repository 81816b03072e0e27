/*
 * libFuzzer harness for the domain side of JSON input: any bytes that
 * jansson parses (as api_read_json does) go through comment, account,
 * preview-body and settings validation. Settings that apply must read
 * back (settings_to_json) as settings that apply again, to the same JSON.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "account_input.h"
#include "apierr.h"
#include "comment_input.h"
#include "settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
comments(json_t *j)
{
	struct comment_input in;
	struct apierr        e;
	const char          *body;
	size_t               len;
	int                  guest;

	for (guest = 0; guest <= 1; guest++) {
		memset(&in, 0, sizeof(in));
		if (comment_input_parse_as(j, guest, &in, &e) == 0 &&
		    (in.post == NULL || !post_key_valid(in.post)))
			abort();
		comment_input_free(&in);
	}
	if (body_parse(j, &body, &len, &e) == 0 && body == NULL)
		abort();
}

static void
accounts(json_t *j)
{
	struct account_input in;
	struct apierr        e;

	memset(&in, 0, sizeof(in));
	(void)account_register_parse(j, &in, &e);
	account_input_free(&in);
	memset(&in, 0, sizeof(in));
	(void)account_login_parse(j, &in, &e);
	account_input_free(&in);
	memset(&in, 0, sizeof(in));
	(void)account_password_parse(j, &in, &e);
	account_input_free(&in);
}

static void
settings(json_t *j)
{
	struct settings s, again;
	struct apierr   e;
	json_t         *out, *out2;

	settings_defaults(&s);
	if (settings_apply(&s, j, &e) == 0) {
		out = settings_to_json(&s);
		settings_defaults(&again);
		if (out == NULL || settings_apply(&again, out, &e) == -1)
			abort();
		out2 = settings_to_json(&again);
		if (!json_equal(out, out2))
			abort();
		json_decref(out);
		json_decref(out2);
		settings_free(&again);
	}
	settings_free(&s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *j;

	if ((j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES,
	         NULL)) == NULL)
		return (0);
	comments(j);
	accounts(j);
	settings(j);
	json_decref(j);
	return (0);
}
