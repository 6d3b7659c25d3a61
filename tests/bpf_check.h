/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The BPF tests' assertions, as the kernel selftests' ASSERT_*: check()
 * prints why and returns false on failure; result() prints one PASS or FAIL
 * line per test and counts it for the final "N passed, N failed".
 */
#ifndef MTUGUARD_TESTS_BPF_CHECK_H
#define MTUGUARD_TESTS_BPF_CHECK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static int passed, failed;

__attribute__((format(printf, 2, 3))) static bool check(bool ok, const char *fmt, ...)
{
	va_list ap;

	if (ok)
		return true;
	fputs("    ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	return false;
}

static void result(const char *name, bool ok)
{
	printf("%s: bpf: %s\n", ok ? "PASS" : "FAIL", name);
	if (ok)
		passed++;
	else
		failed++;
}

#endif
