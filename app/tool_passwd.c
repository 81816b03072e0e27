/*
 * parley-passwd: argon2id hashes for `make admin`, with the same rules and
 * parameters as the server.
 *
 *   parley-passwd              hash the password on standard input
 *   parley-passwd --generate   make a random password; print it, then its hash
 *
 * Exits 2 when the password does not meet the rules (at least 10
 * characters, at most 1024 bytes, UTF-8).
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "password.h"

static int
usage(void)
{
	fprintf(stderr, "usage: parley-passwd [--generate] < password\n");
	return (2);
}

/* 20 characters from a 56-letter alphabet without look-alikes: ~116 bits. */
static void
generate(char *out, size_t len)
{
	static const char abc[] = "abcdefghijkmnpqrstuvwxyz"
	                          "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	size_t            i;

	for (i = 0; i + 1 < len; i++)
		out[i] = abc[randombytes_uniform(sizeof(abc) - 1)];
	out[len - 1] = '\0';
}

int
main(int argc, char **argv)
{
	char   pw[PASSWORD_MAX_BYTES + 2], hash[PASSWORD_HASH_MAX];
	size_t n;
	int    gen;

	gen = argc == 2 && strcmp(argv[1], "--generate") == 0;
	if (argc > 2 || (argc == 2 && !gen))
		return (usage());
	if (sodium_init() < 0)
		return (1);
	if (gen) {
		generate(pw, 21);
	} else {
		if (fgets(pw, sizeof(pw), stdin) == NULL)
			return (usage());
		pw[strcspn(pw, "\r\n")] = '\0';
	}
	n = strlen(pw);
	if (!password_acceptable(pw, n)) {
		fprintf(stderr,
		    "parley-passwd: a password needs at least %d "
		    "characters (at most %d bytes)\n",
		    PASSWORD_MIN_CHARS, PASSWORD_MAX_BYTES);
		sodium_memzero(pw, sizeof(pw));
		return (2);
	}
	if (password_hash(pw, n, hash) == -1) {
		sodium_memzero(pw, sizeof(pw));
		return (1);
	}
	if (gen)
		printf("%s\n", pw);
	printf("%s\n", hash);
	sodium_memzero(pw, sizeof(pw));
	return (0);
}
