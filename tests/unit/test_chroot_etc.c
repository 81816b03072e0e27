/*
 * Unit tests for app/chroot_etc.c: the resolver's files copied into the
 * workers' chroot. (That a worker then resolves a name from /etc/hosts
 * is tests/integration/hooks_tls.test.js's to show.)
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "chroot_etc.h"

static char top[] = "/tmp/parley-etc-XXXXXX";
static char src[256], root[256];

static void
put(const char *dir, const char *name, const char *text)
{
	char  path[512];
	FILE *f;

	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	cr_assert_not_null(f = fopen(path, "w"), "%s", path);
	cr_assert_eq(fwrite(text, 1, strlen(text), f), strlen(text));
	cr_assert_eq(fclose(f), 0);
}

/* dir/name's contents (static), or NULL if it does not exist. */
static const char *
get(const char *dir, const char *name)
{
	static char text[4096];
	char        path[512];
	size_t      n;
	FILE       *f;

	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "r")) == NULL)
		return (NULL);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	(void)fclose(f);
	return (text);
}

static void
setup(void)
{
	cr_assert_not_null(mkdtemp(top));
	(void)snprintf(src, sizeof(src), "%s/etc", top);
	(void)snprintf(root, sizeof(root), "%s/root", top);
	cr_assert_eq(mkdir(src, 0755), 0);
	cr_assert_eq(mkdir(root, 0755), 0);
	put(src, "hosts", "127.0.0.1 localhost\n127.0.0.1 hooks.test\n");
	put(src, "resolv.conf", "nameserver 192.0.2.53\n");
	put(src, "nsswitch.conf", "hosts: files dns\n");
	put(src, "passwd", "root:x:0:0::/root:/bin/sh\n");
}

static void
teardown(void)
{
	char cmd[300];

	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	(void)system(cmd);
}

TestSuite(chroot_etc, .init = setup, .fini = teardown);

Test(chroot_etc, copies_what_the_resolver_reads_and_nothing_else)
{
	char        err[256], etc[300], path[400];
	struct stat st;

	(void)umask(077);
	cr_assert_eq(chroot_etc_copy(src, root, err, sizeof(err)), 3, "%s",
	    err);
	(void)umask(022);
	(void)snprintf(etc, sizeof(etc), "%s/etc", root);
	cr_assert_str_eq(get(etc, "hosts"),
	    "127.0.0.1 localhost\n127.0.0.1 hooks.test\n");
	cr_assert_str_eq(get(etc, "resolv.conf"), "nameserver 192.0.2.53\n");
	cr_assert_str_eq(get(etc, "nsswitch.conf"), "hosts: files dns\n");
	cr_assert_null(get(etc, "passwd"), "only the resolver's files");
	cr_assert_null(get(etc, "gai.conf"));
	cr_assert_null(get(etc, "hosts.tmp"), "no temporary file left");
	/* Readable by the workers' user whatever the umask was. */
	(void)snprintf(path, sizeof(path), "%s/hosts", etc);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0644);
	cr_assert_eq(stat(etc, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0755);
}

Test(chroot_etc, a_restart_brings_changes_and_removals)
{
	char err[256], etc[300], path[300];

	put(src, "gai.conf", "precedence ::ffff:0:0/96 100\n");
	cr_assert_eq(chroot_etc_copy(src, root, err, sizeof(err)), 4);
	put(src, "hosts", "127.0.0.1 other.test\n");
	(void)snprintf(path, sizeof(path), "%s/gai.conf", src);
	cr_assert_eq(unlink(path), 0);
	cr_assert_eq(chroot_etc_copy(src, root, err, sizeof(err)), 3);
	(void)snprintf(etc, sizeof(etc), "%s/etc", root);
	cr_assert_str_eq(get(etc, "hosts"), "127.0.0.1 other.test\n");
	cr_assert_null(get(etc, "gai.conf"), "an old copy does not linger");
}

Test(chroot_etc, never_writes_into_the_systems_etc)
{
	char err[256], link[300];

	/* Root "/" (no chroot): nothing to do, and nothing done. */
	cr_assert_eq(chroot_etc_copy(src, "/", err, sizeof(err)), 0);
	cr_assert_eq(chroot_etc_copy(src, "/.", err, sizeof(err)), 0);
	/* ROOT/etc a link to the source: refused, the source unchanged. */
	(void)snprintf(link, sizeof(link), "%s/etc", root);
	cr_assert_eq(symlink(src, link), 0);
	cr_assert_eq(chroot_etc_copy(src, root, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "not a folder"), "%s", err);
	cr_assert_not_null(get(src, "passwd"));
}

Test(chroot_etc, errors_name_the_file)
{
	char err[256], bad[300];

	(void)snprintf(bad, sizeof(bad), "%s/no/such/root", top);
	cr_assert_eq(chroot_etc_copy(src, bad, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "no/such/root/etc"), "%s", err);
	/* A source that is a folder where a file should be. */
	(void)snprintf(bad, sizeof(bad), "%s/hosts", src);
	cr_assert_eq(unlink(bad), 0);
	cr_assert_eq(mkdir(bad, 0755), 0);
	cr_assert_eq(chroot_etc_copy(src, root, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "/hosts"), "%s", err);
}
