#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chroot_etc.h"

/* What getaddrinfo may read; the first three matter. */
static const char *const resolver_files[] = {
	"nsswitch.conf",
	"hosts",
	"resolv.conf",
	"host.conf",
	"gai.conf",
};

/* Far past any real one of these files. */
#define ETC_FILE_MAX (1024 * 1024)

/* 1 when dir is the same folder as "/" (then nothing may be copied). */
static int
is_system_root(const char *dir)
{
	struct stat a, b;

	if (stat(dir, &a) == -1 || stat("/", &b) == -1)
		return (0);
	return (a.st_dev == b.st_dev && a.st_ino == b.st_ino);
}

/* Reads all of a regular file into a fresh buffer; -1 with errno set. */
static int
slurp(const char *path, char **out, size_t *len)
{
	struct stat st;
	ssize_t     n = 0;
	size_t      got, size;
	char       *p;
	int         fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (-1);
	if (fstat(fd, &st) == -1) {
		saved = errno;
		(void)close(fd);
		errno = saved;
		return (-1);
	}
	if (!S_ISREG(st.st_mode) || st.st_size > ETC_FILE_MAX) {
		(void)close(fd);
		errno = S_ISREG(st.st_mode) ? EFBIG : EINVAL;
		return (-1);
	}
	size = (size_t)st.st_size;
	if ((p = malloc(size + 1)) == NULL)
		abort();
	for (got = 0; got < size; got += (size_t)n) {
		if ((n = read(fd, p + got, size - got)) <= 0)
			break;
	}
	saved = errno;
	(void)close(fd);
	if (n < 0) {
		free(p);
		errno = saved;
		return (-1);
	}
	*out = p;
	*len = got;
	return (0);
}

/* Writes len bytes to path whole or not at all (a new file, renamed). */
static int
write_whole(const char *path, const char *p, size_t len)
{
	char    tmp[4096];
	ssize_t n;
	size_t  off;
	int     fd, rc = 0;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return (-1);
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) ==
	    -1)
		return (-1);
	for (off = 0; off < len && rc == 0; off += (size_t)n) {
		if ((n = write(fd, p + off, len - off)) <= 0)
			rc = -1;
	}
	/* Readable by the workers' user whatever the umask. */
	if (rc == 0 && fchmod(fd, 0644) == -1)
		rc = -1;
	if (close(fd) == -1)
		rc = -1;
	if (rc == 0 && rename(tmp, path) == -1)
		rc = -1;
	if (rc == -1)
		(void)unlink(tmp);
	return (rc);
}

/* One file: 1 copied, 0 absent at the source (and removed), -1 error. */
static int
copy_one(const char *src_etc, const char *dst_etc, const char *name, char *err,
    size_t errlen)
{
	char   src[4096], dst[4096], *text;
	size_t len;

	if ((size_t)snprintf(src, sizeof(src), "%s/%s", src_etc, name) >=
	        sizeof(src) ||
	    (size_t)snprintf(dst, sizeof(dst), "%s/%s", dst_etc, name) >=
	        sizeof(dst)) {
		(void)snprintf(err, errlen, "%s: path too long", dst_etc);
		return (-1);
	}
	if (slurp(src, &text, &len) == -1) {
		if (errno != ENOENT) {
			(void)snprintf(err, errlen, "%s: %s", src,
			    strerror(errno));
			return (-1);
		}
		/* Gone from the system: an old copy must not linger. */
		if (unlink(dst) == -1 && errno != ENOENT) {
			(void)snprintf(err, errlen, "%s: %s", dst,
			    strerror(errno));
			return (-1);
		}
		return (0);
	}
	if (write_whole(dst, text, len) == -1) {
		(void)snprintf(err, errlen, "%s: %s", dst, strerror(errno));
		free(text);
		return (-1);
	}
	free(text);
	return (1);
}

/*
 * root/etc made, or found, as a folder of its own: never the system's
 * /etc under another name (a symbolic link, or root being "/"), which
 * the copies and removals would change.
 */
static int
dest_dir(const char *src_etc, const char *root, char *dst, size_t size,
    char *err, size_t errlen)
{
	struct stat st, src;

	if ((size_t)snprintf(dst, size, "%s/etc", root) >= size) {
		(void)snprintf(err, errlen, "%s: path too long", root);
		return (-1);
	}
	if (mkdir(dst, 0755) == -1 && errno != EEXIST) {
		(void)snprintf(err, errlen, "%s: %s", dst, strerror(errno));
		return (-1);
	}
	if (lstat(dst, &st) == -1 || !S_ISDIR(st.st_mode)) {
		(void)snprintf(err, errlen, "%s: not a folder", dst);
		return (-1);
	}
	if (stat(src_etc, &src) == 0 && src.st_dev == st.st_dev &&
	    src.st_ino == st.st_ino) {
		(void)snprintf(err, errlen, "%s is %s itself", dst, src_etc);
		return (-1);
	}
	/* Open to the workers' user whatever the umask. */
	if (chmod(dst, 0755) == -1) {
		(void)snprintf(err, errlen, "%s: %s", dst, strerror(errno));
		return (-1);
	}
	return (0);
}

int
chroot_etc_copy(const char *src_etc, const char *root, char *err, size_t errlen)
{
	char   dst[4096];
	size_t i;
	int    n, copied = 0;

	if (is_system_root(root))
		return (0);
	if (dest_dir(src_etc, root, dst, sizeof(dst), err, errlen) == -1)
		return (-1);
	for (i = 0; i < sizeof(resolver_files) / sizeof(resolver_files[0]);
	     i++) {
		if ((n = copy_one(src_etc, dst, resolver_files[i], err,
		         errlen)) == -1)
			return (-1);
		copied += n;
	}
	return (copied);
}
