/*
 * Validation of account requests: register, log in, change password,
 * erase.
 */
#ifndef PARLEY_ACCOUNT_INPUT_H
#define PARLEY_ACCOUNT_INPUT_H

#include <stddef.h>

#include <jansson.h>

struct apierr;

#define ACCOUNT_NAME_MAX 80 /* characters */

/* Borrowed from the JSON object, except name (trimmed copy, owned). */
struct account_input {
	const char *email;
	const char *password;
	size_t      password_len;
	const char *new_password; /* password change only */
	size_t      new_password_len;
	char       *name; /* register only */
	char       *decoded; /* owned: the password, when it came encoded */
};

int account_register_parse(json_t *, struct account_input *, struct apierr *);
/* Log in: e-mail and password present and of sane size; their rules are
 * not checked, so old accounts can still log in if the rules change. */
int account_login_parse(json_t *, struct account_input *, struct apierr *);
/* {"current_password", "new_password"} */
int account_password_parse(json_t *, struct account_input *, struct apierr *);
/*
 * An account's erasure (DELETE /api/v1/me): the password, percent-encoded
 * as encodeURIComponent does, in the X-Parley-Password header (Kore 4.1
 * reads no body on a DELETE). header: NULL when absent.
 */
int  account_erase_parse(const char *header, struct account_input *,
     struct apierr *);
void account_input_free(struct account_input *);

#endif
