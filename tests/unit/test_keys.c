/*
 * Unit tests for app/keys.c: the key file (created 0600 when missing,
 * refused when exposed, malformed or a symlink), the crypto_kdf subkeys
 * and the keyed hash of voters' IPs. Each test works in its own mkdtemp
 * directory.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <sodium.h>

#include "keys.h"

#define HEX_A                                                                  \
	"000102030405060708090a0b0c0d0e0f"                                     \
	"101112131415161718191a1b1c1d1e1f"
#define HEX_B                                                                  \
	"f0e1d2c3b4a5968778695a4b3c2d1e0f"                                     \
	"0123456789abcdef0123456789abcdef"

static char dir[64];

static void
keys_setup(void)
{
	cr_assert_geq(sodium_init(), 0, "sodium_init failed");
	umask(022);
	strcpy(dir, "/tmp/parley-keys-XXXXXX");
	cr_assert_not_null(mkdtemp(dir), "mkdtemp failed");
}

static void
keys_teardown(void)
{
	DIR           *d;
	struct dirent *de;
	char           p[256];

	keys_wipe();
	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		if (rmdir(p) == -1)
			unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

TestSuite(keys, .init = keys_setup, .fini = keys_teardown);

static const char *
in_dir(const char *name)
{
	static char p[2][256];
	static int  which;

	which ^= 1;
	snprintf(p[which], sizeof(p[which]), "%s/%s", dir, name);
	return (p[which]);
}

/* Writes n bytes to a new file with the given mode (umask aside). */
static const char *
put_file(const char *name, const char *text, size_t n, mode_t mode)
{
	const char *p = in_dir(name);
	int         fd;

	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert_neq(fd, -1, "open %s", p);
	cr_assert_eq(write(fd, text, n), (ssize_t)n);
	cr_assert_eq(fchmod(fd, mode), 0);
	close(fd);
	return (p);
}

static const char *
put_key(const char *name, const char *text, mode_t mode)
{
	return (put_file(name, text, strlen(text), mode));
}

/* The file must be refused, with an error mentioning what. */
static void
refused(const char *path, const char *what)
{
	char err[512];

	err[0] = '\0';
	cr_assert_eq(keys_load(path, err, sizeof(err)), -1, "%s loaded", path);
	cr_assert_neq(err[0], '\0', "no message for %s", path);
	if (what != NULL)
		cr_assert_not_null(strstr(err, what),
		    "message \"%s\" lacks "
		    "\"%s\"",
		    err, what);
}

static void
loads(const char *path)
{
	char err[512] = "";

	cr_assert_eq(keys_load(path, err, sizeof(err)), 0, "%s: %s", path, err);
}

static void
derive(const char *hex, enum key_purpose p, unsigned char out[KEY_BYTES])
{
	unsigned char master[KEY_BYTES];

	cr_assert_eq(sodium_hex2bin(master, sizeof(master), hex, strlen(hex),
	                 NULL, NULL, NULL),
	    0);
	crypto_kdf_derive_from_key(out, KEY_BYTES, (uint64_t)p + 1, "parleyk1",
	    master);
}

Test(keys, creates_missing_file_0600)
{
	const char *p = in_dir("key");
	struct stat st;
	char        text[128];
	ssize_t     n;
	int         fd, i;

	umask(0); /* the mode must not rely on the umask */
	loads(p);
	cr_assert_eq(lstat(p, &st), 0);
	cr_assert(S_ISREG(st.st_mode));
	cr_assert_eq(st.st_mode & 07777, 0600, "mode %o", st.st_mode & 07777);

	fd = open(p, O_RDONLY);
	cr_assert_neq(fd, -1);
	n = read(fd, text, sizeof(text));
	close(fd);
	cr_assert_eq(n, 65);
	for (i = 0; i < 64; i++)
		cr_assert((text[i] >= '0' && text[i] <= '9') ||
		        (text[i] >= 'a' && text[i] <= 'f'),
		    "char %d: %c", i, text[i]);
	cr_assert_eq(text[64], '\n');
}

Test(keys, reload_gives_same_keys)
{
	const char   *p = in_dir("key");
	unsigned char k1[KEY_BYTES], k2[KEY_BYTES];
	char          h1[65], h2[65], text[66];
	unsigned char want[KEY_BYTES];
	int           fd;

	loads(p);
	memcpy(k1, keys_get(KEY_SECRETBOX), KEY_BYTES);
	keys_voter_ip_hash("192.0.2.7", h1);
	keys_wipe();
	loads(p);
	memcpy(k2, keys_get(KEY_SECRETBOX), KEY_BYTES);
	keys_voter_ip_hash("192.0.2.7", h2);
	cr_assert_eq(memcmp(k1, k2, KEY_BYTES), 0);
	cr_assert_str_eq(h1, h2);

	/* And they are the file's key, derived as documented. */
	fd = open(p, O_RDONLY);
	cr_assert_eq(read(fd, text, 64), 64);
	close(fd);
	text[64] = '\0';
	derive(text, KEY_SECRETBOX, want);
	cr_assert_eq(memcmp(k2, want, KEY_BYTES), 0);
}

Test(keys, two_new_files_differ)
{
	unsigned char k1[KEY_BYTES];

	loads(in_dir("one"));
	memcpy(k1, keys_get(KEY_VOTER_IP), KEY_BYTES);
	loads(in_dir("two"));
	cr_assert_neq(memcmp(k1, keys_get(KEY_VOTER_IP), KEY_BYTES), 0);
}

Test(keys, subkeys_from_known_master)
{
	unsigned char want[KEY_BYTES];
	unsigned char h[32];
	char          hex[65], got[65];

	loads(put_key("key", HEX_A "\n", 0600));
	derive(HEX_A, KEY_VOTER_IP, want);
	cr_assert_eq(memcmp(keys_get(KEY_VOTER_IP), want, KEY_BYTES), 0);
	derive(HEX_A, KEY_SECRETBOX, want);
	cr_assert_eq(memcmp(keys_get(KEY_SECRETBOX), want, KEY_BYTES), 0);
	cr_assert_neq(memcmp(keys_get(KEY_VOTER_IP), keys_get(KEY_SECRETBOX),
	                  KEY_BYTES),
	    0);

	/* The voter hash is keyed BLAKE2b-256 of the string, in hex. */
	derive(HEX_A, KEY_VOTER_IP, want);
	crypto_generichash(h, sizeof(h), (const unsigned char *)"2001:db8::1",
	    strlen("2001:db8::1"), want, sizeof(want));
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	keys_voter_ip_hash("2001:db8::1", got);
	cr_assert_str_eq(got, hex);
}

Test(keys, voter_hash_shape_and_separation)
{
	char a[65], b[65], c[65];
	int  i;

	loads(put_key("key", HEX_A "\n", 0600));
	keys_voter_ip_hash("192.0.2.1", a);
	keys_voter_ip_hash("192.0.2.2", b);
	cr_assert_eq(strlen(a), 64);
	for (i = 0; i < 64; i++)
		cr_assert((a[i] >= '0' && a[i] <= '9') ||
		    (a[i] >= 'a' && a[i] <= 'f'));
	cr_assert_str_neq(a, b);
	keys_voter_ip_hash("", c);
	cr_assert_str_neq(a, c);

	/* Another master key, another hash for the same IP. */
	loads(put_key("key2", HEX_B "\n", 0600));
	keys_voter_ip_hash("192.0.2.1", c);
	cr_assert_str_neq(a, c);
}

Test(keys, newline_optional_hex_case_free)
{
	unsigned char k[KEY_BYTES];
	char          upper[65];
	size_t        i;

	loads(put_key("nl", HEX_B "\n", 0600));
	memcpy(k, keys_get(KEY_VOTER_IP), KEY_BYTES);
	loads(put_key("bare", HEX_B, 0600));
	cr_assert_eq(memcmp(k, keys_get(KEY_VOTER_IP), KEY_BYTES), 0);
	strcpy(upper, HEX_B);
	for (i = 0; i < 64; i++)
		if (upper[i] >= 'a' && upper[i] <= 'f')
			upper[i] -= 'a' - 'A';
	loads(put_key("upper", upper, 0600));
	cr_assert_eq(memcmp(k, keys_get(KEY_VOTER_IP), KEY_BYTES), 0);
	/* 0400 is as private as 0600. */
	loads(put_key("ro", HEX_B "\n", 0400));
	cr_assert_eq(memcmp(k, keys_get(KEY_VOTER_IP), KEY_BYTES), 0);
}

Test(keys, exposed_file_refused)
{
	static const mode_t modes[] = { 0644, 0640, 0604, 0660, 0606, 0620,
		0602, 0610, 0601, 0777 };
	const char         *p;
	size_t              i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		p = put_key("key", HEX_A "\n", modes[i]);
		refused(p, "must not be readable by group or others");
		cr_assert_eq(unlink(p), 0);
	}
}

Test(keys, malformed_refused)
{
	static const char *const bad[] = {
		"",
		"\n",
		HEX_A "\n\n",
		HEX_A " \n",
		HEX_A "\r\n",
		HEX_A "0\n",
		HEX_A "00",
		HEX_A "\nextra",
		" " HEX_A "\n",
		"0x" HEX_A,
	};
	char        text[80];
	const char *p;
	size_t      i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p = put_key("key", bad[i], 0600);
		refused(p, "hex");
		unlink(p);
	}

	/* Short: 63 and 62 digits, with and without the newline. */
	p = put_key("key",
	    "000102030405060708090a0b0c0d0e0f"
	    "101112131415161718191a1b1c1d1e1\n",
	    0600);
	refused(p, "hex");
	p = put_key("key",
	    "000102030405060708090a0b0c0d0e0f"
	    "101112131415161718191a1b1c1d1e",
	    0600);
	refused(p, "hex");

	/* A non-hex digit anywhere. */
	for (i = 0; i < 64; i += 9) {
		strcpy(text, HEX_A "\n");
		text[i] = 'g';
		refused(put_key("key", text, 0600), "hex");
		text[i] = ':';
		refused(put_key("key", text, 0600), "hex");
	}

	/* A NUL inside the file. */
	strcpy(text, HEX_A "\n");
	text[10] = '\0';
	refused(put_file("key", text, 65, 0600), "hex");

	/* Much longer than a key. */
	memset(text, 'a', sizeof(text));
	refused(put_file("key", text, sizeof(text), 0600), "hex");
}

Test(keys, symlink_refused)
{
	const char *target, *link;
	struct stat st;

	/* To a good key file. */
	target = put_key("real", HEX_A "\n", 0600);
	link = in_dir("link");
	cr_assert_eq(symlink(target, link), 0);
	refused(link, "symbolic link");

	/* Dangling: nothing may be created through it. */
	link = in_dir("dangling");
	cr_assert_eq(symlink(in_dir("nowhere"), link), 0);
	refused(link, "symbolic link");
	cr_assert_eq(stat(in_dir("nowhere"), &st), -1);
}

Test(keys, directory_refused)
{
	cr_assert_eq(mkdir(in_dir("sub"), 0700), 0);
	refused(in_dir("sub"), "regular file");
}

Test(keys, missing_directory_reported)
{
	refused(in_dir("no/such/dir/key"), "no/such/dir/key");
	refused("", NULL);
	cr_assert_eq(keys_load(NULL, NULL, 0), -1);
	/* No message buffer is fine too. */
	cr_assert_eq(keys_load(in_dir("no/key"), NULL, 0), -1);
}

Test(keys, failed_load_keeps_earlier_keys)
{
	unsigned char k[KEY_BYTES];

	loads(put_key("good", HEX_A "\n", 0600));
	memcpy(k, keys_get(KEY_VOTER_IP), KEY_BYTES);
	refused(put_key("bad", HEX_B "\n", 0644), "group");
	cr_assert_eq(memcmp(k, keys_get(KEY_VOTER_IP), KEY_BYTES), 0);
}

Test(keys, wipe_zeroes_keys)
{
	const unsigned char *k;
	unsigned char        zero[KEY_BYTES] = { 0 };

	loads(put_key("key", HEX_A "\n", 0600));
	k = keys_get(KEY_SECRETBOX);
	cr_assert_neq(memcmp(k, zero, KEY_BYTES), 0);
	keys_wipe();
	/* The pointer is into static storage; it must now hold zeros. */
	cr_assert_eq(memcmp(k, zero, KEY_BYTES), 0);
}

/* Abort skips .fini: these tests clean up before dying. */
Test(keys, get_before_load_aborts, .signal = SIGABRT)
{
	keys_teardown();
	keys_get(KEY_VOTER_IP);
}

Test(keys, get_after_wipe_aborts, .signal = SIGABRT)
{
	loads(put_key("key", HEX_A "\n", 0600));
	keys_teardown();
	keys_get(KEY_VOTER_IP);
}

Test(keys, voter_hash_before_load_aborts, .signal = SIGABRT)
{
	char h[65];

	keys_teardown();
	keys_voter_ip_hash("192.0.2.1", h);
}
