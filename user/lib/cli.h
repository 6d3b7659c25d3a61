/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What every subcommand shares: exit codes, the options common to all
 * (-v, --json, --pin, --help), number parsing with one-sentence errors.
 */
#ifndef MTUGUARD_CLI_H
#define MTUGUARD_CLI_H

#include <getopt.h>
#include <stdbool.h>

/* Exit codes, documented in --help and the README. */
#define EXIT_OK 0
#define EXIT_FOUND 1 /* check: an inconsistency was found */
#define EXIT_ERROR 2 /* bad usage, missing privileges, a failure */

struct common_opts {
	bool json;
	int verbosity;
	const char *pin_dir;
};

/* getopt_long entries and short letters every subcommand accepts. */
#define COMMON_LONG_OPTS                                                                           \
	{ "json", no_argument, NULL, 'j' }, { "pin", required_argument, NULL, 'p' },               \
		{ "verbose", no_argument, NULL, 'v' },                                             \
	{                                                                                          \
		"help", no_argument, NULL, 'h'                                                     \
	}
#define COMMON_SHORT_OPTS "jp:vh"

/* Handles a common option; returns false when @opt is not one. */
bool cli_common_option(int opt, const char *arg, struct common_opts *common);
/* Applies -v levels and routes libbpf's log. */
void cli_apply_common(const struct common_opts *common);
/* Parses an unsigned number in [min, max] for @flag; reports the error. */
bool cli_parse_uint(const char *flag, const char *arg, unsigned long min, unsigned long max,
		    unsigned long *out);
/* The sentence for an unknown option or stray argument, then EXIT_ERROR. */
int cli_usage_error(const char *cmd);

#endif
