/*
 * weakhash: prints an argon2id hash of the password on standard input made
 * with libsodium's minimum limits, weaker than Parley's, so a test can
 * check that logging in upgrades it.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

int
main(void)
{
	char pw[1100], hash[crypto_pwhash_STRBYTES];

	if (sodium_init() < 0 || fgets(pw, sizeof(pw), stdin) == NULL)
		return (1);
	pw[strcspn(pw, "\n")] = '\0';
	if (crypto_pwhash_str_alg(hash, pw, strlen(pw),
	        crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN,
	        crypto_pwhash_ALG_ARGON2ID13) != 0)
		return (1);
	printf("%s\n", hash);
	return (0);
}
