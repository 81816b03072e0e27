#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "keys.h"

#define KEY_PURPOSES KEY_PURPOSE_COUNT
#define KEY_HEX_LEN  (2 * KEY_BYTES)

/* crypto_kdf wants exactly crypto_kdf_CONTEXTBYTES (8) characters. */
static const char kdf_context[crypto_kdf_CONTEXTBYTES + 1] = "parleyk1";

/*
 * Plain static storage: sodium_malloc would mlock, which the worker
 * sandbox does not allow.
 */
static unsigned char subkeys[KEY_PURPOSES][KEY_BYTES];
static int           loaded;

static void seterr(char *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w == -1) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		p += w;
		n -= (size_t)w;
	}
	return (0);
}

/*
 * Creates the key file with a fresh key unless it exists. O_EXCL makes
 * the existence test and the creation one step, and refuses to follow a
 * symlink planted at path. 0 if created or already there, -1 otherwise.
 */
static int
create_key_file(const char *path, char *err, size_t errlen)
{
	unsigned char key[KEY_BYTES];
	char          text[KEY_HEX_LEN + 2];
	int           fd, saved;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1) {
		if (errno == EEXIST)
			return (0);
		seterr(err, errlen, "cannot create key file %s: %s", path,
		    strerror(errno));
		return (-1);
	}

	randombytes_buf(key, sizeof(key));
	sodium_bin2hex(text, sizeof(text), key, sizeof(key));
	text[KEY_HEX_LEN] = '\n';
	sodium_memzero(key, sizeof(key));

	if (write_all(fd, text, KEY_HEX_LEN + 1) == -1 || fsync(fd) == -1) {
		saved = errno;
		sodium_memzero(text, sizeof(text));
		close(fd);
		/* A partial file would be refused as malformed on every start. */
		unlink(path);
		seterr(err, errlen, "cannot write key file %s: %s", path,
		    strerror(saved));
		return (-1);
	}
	sodium_memzero(text, sizeof(text));
	if (close(fd) == -1) {
		saved = errno;
		unlink(path);
		seterr(err, errlen, "cannot write key file %s: %s", path,
		    strerror(saved));
		return (-1);
	}
	return (0);
}

/* Reads at most max bytes; *n is how many came before EOF. */
static int
read_upto(int fd, char *p, size_t max, size_t *n)
{
	ssize_t r;

	*n = 0;
	while (*n < max) {
		r = read(fd, p + *n, max - *n);
		if (r == -1) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		if (r == 0)
			break;
		*n += (size_t)r;
	}
	return (0);
}

/*
 * Exactly 64 hex digits, optionally one newline. text holds at least one
 * byte more than that so that longer files are seen as such.
 */
static int
parse_key(const char *text, size_t n, unsigned char key[KEY_BYTES])
{
	size_t klen;

	if (n == KEY_HEX_LEN + 1 && text[KEY_HEX_LEN] == '\n')
		n = KEY_HEX_LEN;
	if (n != KEY_HEX_LEN)
		return (-1);
	/* No ignore set and no end pointer: any stray character fails. */
	if (sodium_hex2bin(key, KEY_BYTES, text, KEY_HEX_LEN, NULL, &klen,
	        NULL) != 0 ||
	    klen != KEY_BYTES)
		return (-1);
	return (0);
}

static int
read_key_file(const char *path, unsigned char key[KEY_BYTES], char *err,
    size_t errlen)
{
	struct stat st;
	char        text[KEY_HEX_LEN + 2];
	size_t      n;
	int         fd, rc;

	/* O_NONBLOCK: a FIFO planted at path must not hang the start. */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1) {
		if (errno == ELOOP)
			seterr(err, errlen, "key file %s is a symbolic link",
			    path);
		else
			seterr(err, errlen, "cannot open key file %s: %s", path,
			    strerror(errno));
		return (-1);
	}
	if (fstat(fd, &st) == -1) {
		seterr(err, errlen, "cannot stat key file %s: %s", path,
		    strerror(errno));
		close(fd);
		return (-1);
	}
	if (!S_ISREG(st.st_mode)) {
		seterr(err, errlen, "key file %s is not a regular file", path);
		close(fd);
		return (-1);
	}
	if ((st.st_mode & 077) != 0) {
		seterr(err, errlen,
		    "key file %s must not be readable by group "
		    "or others (mode %04o; chmod 600 it)",
		    path, (unsigned int)(st.st_mode & 07777));
		close(fd);
		return (-1);
	}

	if (read_upto(fd, text, sizeof(text), &n) == -1) {
		seterr(err, errlen, "cannot read key file %s: %s", path,
		    strerror(errno));
		sodium_memzero(text, sizeof(text));
		close(fd);
		return (-1);
	}
	close(fd);

	rc = parse_key(text, n, key);
	sodium_memzero(text, sizeof(text));
	if (rc == -1) {
		sodium_memzero(key, KEY_BYTES);
		seterr(err, errlen,
		    "key file %s must hold exactly %d hex "
		    "digits and a newline",
		    path, KEY_HEX_LEN);
		return (-1);
	}
	return (0);
}

int
keys_load(const char *path, char *err, size_t errlen)
{
	unsigned char master[KEY_BYTES];
	unsigned char derived[KEY_PURPOSES][KEY_BYTES];
	int           i;

	if (path == NULL || *path == '\0') {
		seterr(err, errlen, "no key file given");
		return (-1);
	}
	if (create_key_file(path, err, errlen) == -1)
		return (-1);
	/* Read back even when just written: one path for both cases. */
	if (read_key_file(path, master, err, errlen) == -1)
		return (-1);

	/* Subkey ids start at 1; a failed load leaves earlier keys alone. */
	for (i = 0; i < KEY_PURPOSES; i++)
		crypto_kdf_derive_from_key(derived[i], KEY_BYTES,
		    (uint64_t)i + 1, kdf_context, master);
	sodium_memzero(master, sizeof(master));

	memcpy(subkeys, derived, sizeof(subkeys));
	sodium_memzero(derived, sizeof(derived));
	loaded = 1;
	return (0);
}

const unsigned char *
keys_get(enum key_purpose p)
{
	/* Running without keys would hash and encrypt with zeros. */
	if (!loaded || (int)p < 0 || (int)p >= KEY_PURPOSES)
		abort();
	return (subkeys[p]);
}

void
keys_voter_ip_hash(const char *ip, char out[65])
{
	unsigned char h[32];

	if (ip == NULL)
		abort();
	crypto_generichash(h, sizeof(h), (const unsigned char *)ip, strlen(ip),
	    keys_get(KEY_VOTER_IP), KEY_BYTES);
	sodium_bin2hex(out, 65, h, sizeof(h));
	sodium_memzero(h, sizeof(h));
}

void
keys_wipe(void)
{
	sodium_memzero(subkeys, sizeof(subkeys));
	loaded = 0;
}
