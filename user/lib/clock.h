/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The clocks: milliseconds on the monotonic clock (for intervals, never for
 * dates), and wall-clock time in RFC 3339 (for the "time" of events). */
#ifndef MTUGUARD_CLOCK_H
#define MTUGUARD_CLOCK_H

#include <stddef.h>
#include <time.h>

static inline unsigned long long monotonic_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (unsigned long long)now.tv_sec * 1000 + (unsigned long long)now.tv_nsec / 1000000;
}

/* RFC 3339 UTC time with milliseconds: "2026-12-01T22:40:51.123Z". */
void format_rfc3339(const struct timespec *ts, char *buf, size_t size);
/* The same for now. */
void format_rfc3339_now(char *buf, size_t size);

#endif
