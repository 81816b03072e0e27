/*
 * The hook deliverer's loop (deliver.c): Kore-free, so a worker thread
 * and the parley-deliver process run the same code.
 */
#ifndef PARLEY_DELIVER_H
#define PARLEY_DELIVER_H

#include <signal.h>

/*
 * Delivers from the database at conninfo until *stop becomes non-zero,
 * reconnecting whenever the database goes away. The key file must be
 * loaded (keys_load) and libcurl initialised. -1 if it cannot start.
 */
int	deliver_run(const char *conninfo, volatile sig_atomic_t *stop);

#endif
