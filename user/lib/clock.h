/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Milliseconds on the monotonic clock: for intervals, never for dates. */
#ifndef MTUGUARD_CLOCK_H
#define MTUGUARD_CLOCK_H

#include <time.h>

static inline unsigned long long monotonic_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (unsigned long long)now.tv_sec * 1000 + (unsigned long long)now.tv_nsec / 1000000;
}

#endif
