/*
 * Name resolution inside the workers' chroot. A hook's URL may name its
 * host, and libcurl resolves it with glibc's getaddrinfo, which reads
 * /etc/nsswitch.conf, /etc/hosts and /etc/resolv.conf (and /etc/host.conf
 * and /etc/gai.conf where they exist) at lookup time, from inside the
 * chroot, where none of them is. The parent, as root and before any
 * worker starts, copies them into ROOT/etc. (glibc 2.34+ has its "files"
 * and "dns" sources built in: no NSS library is needed in there.)
 *
 * Copies, not links: a later edit of the system's /etc/hosts or
 * /etc/resolv.conf (a new hosts line, DNS servers from a new DHCP lease)
 * reaches the workers only when Parley is restarted. Kore-free.
 */
#ifndef PARLEY_CHROOT_ETC_H
#define PARLEY_CHROOT_ETC_H

#include <stddef.h>

/*
 * Copies the resolver's files from src_etc (normally "/etc") into
 * root/etc, creating it; a file src_etc lacks is removed from
 * root/etc. Does nothing (returns 0) when root is the system's own
 * root. The number of files copied, or -1 with a message in err.
 */
int chroot_etc_copy(const char *src_etc, const char *root, char *err,
    size_t errlen);

#endif
