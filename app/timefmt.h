/*
 * RFC 3339 UTC times from microseconds since the epoch.
 */
#ifndef PARLEY_TIMEFMT_H
#define PARLEY_TIMEFMT_H

#include <stdint.h>

#define RFC3339_LEN 21 /* "2026-11-26T21:42:41Z" + NUL */

void timefmt_rfc3339(int64_t us, char out[RFC3339_LEN]);
/* Microseconds since the epoch, now (CLOCK_REALTIME). */
int64_t timefmt_now_us(void);

#endif
