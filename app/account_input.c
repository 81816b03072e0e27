#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "account_input.h"
#include "apierr.h"
#include "buf.h"
#include "comment_input.h"
#include "input.h"
#include "password.h"
#include "query.h"

static int
parse_email(json_t *obj, struct account_input *in, struct apierr *e)
{
	if (input_get_string(obj, "email", &in->email, NULL, e) == -1)
		return (-1);
	if (in->email == NULL || *in->email == '\0')
		return (apierr_set(e, 422, "required",
		    "Please give your e-mail address.", "email"));
	if (!input_email_valid(in->email))
		return (apierr_set(e, 422, "invalid_value",
		    "That e-mail address does not look right.", "email"));
	return (0);
}

static int
parse_password(json_t *obj, const char *field, const char **pw, size_t *len,
    struct apierr *e)
{
	if (input_get_string(obj, field, pw, len, e) == -1)
		return (-1);
	if (*pw == NULL || *len == 0)
		return (apierr_set(e, 422, "required",
		    "Please give a password.", field));
	if (*len > PASSWORD_MAX_BYTES)
		return (apierr_set(e, 422, "too_long",
		    "Passwords are at most 1024 bytes.", field));
	return (0);
}

static int
new_password_ok(const char *pw, size_t len, const char *field, struct apierr *e)
{
	if (!password_acceptable(pw, len))
		return (apierr_set(e, 422, "weak_password",
		    "Choose a password of at least 10 characters.", field));
	return (0);
}

int
account_register_parse(json_t *obj, struct account_input *in, struct apierr *e)
{
	const char *name;
	size_t      len;

	memset(in, 0, sizeof(*in));
	if (parse_email(obj, in, e) == -1 ||
	    parse_password(obj, "password", &in->password, &in->password_len,
	        e) == -1 ||
	    new_password_ok(in->password, in->password_len, "password", e) ==
	        -1)
		return (-1);
	if (input_get_string(obj, "name", &name, &len, e) == -1)
		return (-1);
	if (name == NULL || input_is_blank(name, len))
		return (apierr_set(e, 422, "required", "Please give your name.",
		    "name"));
	in->name = input_trimmed_copy(name, len);
	len = strlen(in->name);
	if (input_chars(in->name, len) > ACCOUNT_NAME_MAX ||
	    input_has_controls(in->name, len, 0)) {
		account_input_free(in);
		return (apierr_set(e, 422, "invalid_value",
		    "The name must be at most 80 characters on one line.",
		    "name"));
	}
	return (0);
}

int
account_login_parse(json_t *obj, struct account_input *in, struct apierr *e)
{
	memset(in, 0, sizeof(*in));
	if (input_get_string(obj, "email", &in->email, NULL, e) == -1)
		return (-1);
	if (in->email == NULL || *in->email == '\0' ||
	    strlen(in->email) > EMAIL_MAX)
		return (apierr_set(e, 422, "required",
		    "Please give your e-mail address.", "email"));
	return (parse_password(obj, "password", &in->password,
	    &in->password_len, e));
}

int
account_password_parse(json_t *obj, struct account_input *in, struct apierr *e)
{
	memset(in, 0, sizeof(*in));
	if (parse_password(obj, "current_password", &in->password,
	        &in->password_len, e) == -1 ||
	    parse_password(obj, "new_password", &in->new_password,
	        &in->new_password_len, e) == -1)
		return (-1);
	return (new_password_ok(in->new_password, in->new_password_len,
	    "new_password", e));
}

int
account_erase_parse(const char *header, struct account_input *in,
    struct apierr *e)
{
	struct buf b;
	int        bad = 0;

	memset(in, 0, sizeof(*in));
	if (header == NULL || *header == '\0')
		return (apierr_set(e, 422, "required",
		    "Please give the password (X-Parley-Password).",
		    "password"));
	/* Decoded as a query's value: "password=" + the header. */
	buf_init(&b);
	buf_puts(&b, "password=");
	buf_puts(&b, header);
	in->decoded = query_get(b.data, "password", &bad);
	buf_free(&b);
	if (bad || in->decoded == NULL)
		return (apierr_set(e, 422, "invalid_value",
		    "X-Parley-Password must be percent-encoded.", "password"));
	in->password = in->decoded;
	in->password_len = strlen(in->decoded);
	if (in->password_len > PASSWORD_MAX_BYTES)
		return (apierr_set(e, 422, "too_long",
		    "Passwords are at most 1024 bytes.", "password"));
	return (0);
}

void
account_input_free(struct account_input *in)
{
	free(in->name);
	in->name = NULL;
	if (in->decoded != NULL) {
		sodium_memzero(in->decoded, strlen(in->decoded));
		free(in->decoded);
		in->decoded = NULL;
	}
}
