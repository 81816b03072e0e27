/*
 * The system calls Parley's workers need beyond Kore's own seccomp filter
 * (and its pgsql and task filters), in one place. A call missing here kills
 * the worker with "sandbox violation"; run with PARLEY_SECCOMP_TRACING=yes
 * to log the calls that would have been refused.
 */
#include <sys/socket.h>

#include <errno.h>

#include <kore/kore.h>
#include <kore/seccomp.h>

KORE_SECCOMP_FILTER("parley",
    /* glibc 2.36's stat(), used when the worker sets up its time zone. */
    KORE_SYSCALL_ALLOW(newfstatat),
    /* glibc's realloc of a large (mmap'ed) block: a long thread's JSON. */
    KORE_SYSCALL_ALLOW(mremap),
    /*
	 * Task threads (password hashing). glibc 2.36 tries clone3 first and,
	 * refused with ENOSYS, falls back to clone, which Kore's task filter
	 * allows. Each new thread must register rseq like the main thread
	 * did, or glibc aborts.
	 */
    KORE_SYSCALL_DENY(clone3, ENOSYS), KORE_SYSCALL_ALLOW(rseq),
    /* libcurl, calling the verdict hook from a task thread. */
    KORE_SYSCALL_ALLOW(getpeername), KORE_SYSCALL_ALLOW(getsockname),
    /*
	 * Hooks addressed by host name: glibc's getaddrinfo in libcurl's
	 * resolver thread, reading the copies of /etc/hosts and friends
	 * in the chroot (chroot_etc.c). res_init asks uname for the host
	 * name (the default search domain); DNS sends the A and AAAA
	 * queries at once with sendmmsg. Sorting several addresses (RFC
	 * 6724) asks the kernel for the interfaces' addresses over a
	 * NETLINK_ROUTE socket: socket, bind, recvmsg (sendto already is).
	 */
    KORE_SYSCALL_ALLOW(uname), KORE_SYSCALL_ALLOW(sendmmsg),
    KORE_SYSCALL_ALLOW_ARG(socket, 0, AF_NETLINK), KORE_SYSCALL_ALLOW(bind),
    KORE_SYSCALL_ALLOW(recvmsg),
    /* Imports and exports (import_xml.c, export.c): zlib reads and
	 * writes the file through a descriptor of its own. */
    KORE_SYSCALL_ALLOW(dup), );
