/*
 * The system calls Parley's workers need beyond Kore's own seccomp filter
 * (and its pgsql and task filters), in one place. A call missing here kills
 * the worker with "sandbox violation"; run with PARLEY_SECCOMP_TRACING=yes
 * to log the calls that would have been refused.
 */
#include <kore/kore.h>
#include <kore/seccomp.h>

KORE_SECCOMP_FILTER("parley",
	/* glibc 2.36's stat(), used when the worker sets up its time zone. */
	KORE_SYSCALL_ALLOW(newfstatat),
);
