// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "lib/clock.h"

#include <stdio.h>

void format_rfc3339(const struct timespec *ts, char *buf, size_t size)
{
	struct tm tm;
	char date[32];

	gmtime_r(&ts->tv_sec, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%03ldZ", date, ts->tv_nsec / 1000000);
}

void format_rfc3339_now(char *buf, size_t size)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	format_rfc3339(&now, buf, size);
}
