/*
 * The hook deliverer's loop (deliver.c): Kore-free, so a worker thread
 * and the parley-deliver process run the same code.
 */
#ifndef PARLEY_DELIVER_H
#define PARLEY_DELIVER_H

struct mail_conf;

/*
 * Delivers from the database at conninfo until stop() returns non-zero
 * (asked between deliveries and at least every second while idle),
 * reconnecting whenever the database goes away; and sends the mail
 * outbox through mail's relay (mail_send.h; NULL: no mail). The key file
 * must be loaded (keys_load) and libcurl initialised. -1 if it cannot
 * start.
 */
int deliver_run(const char *conninfo, const struct mail_conf *mail,
    int (*stop)(void));

#endif
