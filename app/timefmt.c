#include <stdio.h>
#include <string.h>
#include <time.h>

#include "timefmt.h"

void
timefmt_rfc3339(int64_t us, char out[RFC3339_LEN])
{
	struct tm tm;
	time_t    t;

	/* Floor division: the second a negative time falls in. */
	t = (time_t)(us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000));
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, RFC3339_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		(void)strcpy(out, "1970-01-01T00:00:00Z");
}

int64_t
timefmt_now_us(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	return ((int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
}
