/*
 * The hook deliverer's loop (deliver.c): Kore-free, so a worker thread
 * and the parley-deliver process run the same code.
 */
#ifndef PARLEY_DELIVER_H
#define PARLEY_DELIVER_H

/*
 * Delivers from the database at conninfo until stop() returns non-zero
 * (asked between deliveries and at least every second while idle),
 * reconnecting whenever the database goes away. The key file must be
 * loaded (keys_load) and libcurl initialised. -1 if it cannot start.
 */
int deliver_run(const char *conninfo, int (*stop)(void));

#endif
