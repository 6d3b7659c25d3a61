/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What every subcommand shares: exit codes, the options common to all
 * (-v, --json, --pin, --help) as one option group, number parsing with
 * one-sentence errors.
 */
#ifndef MTUGUARD_CLI_H
#define MTUGUARD_CLI_H

#include <stdbool.h>

#include "lib/options.h"

/* Exit codes, documented in --help and the README. */
#define EXIT_OK 0
#define EXIT_FOUND 1 /* check: an inconsistency was found */
#define EXIT_ERROR 2 /* bad usage, missing privileges, a failure */

/* What options_parse returns when --help was asked for. */
#define CLI_HELP 1

struct common_opts {
	bool json;
	int verbosity;
	const char *pin_dir;
	struct opt_def defs[4]; /* --json, --pin, -v, -h, as the command explains them */
};

/* The common options of a command, with what --json and --pin mean to it
 * and --pin's default. */
void cli_common_init(struct common_opts *common, const char *json_help, const char *pin_dir,
		     const char *pin_help);
struct opt_group cli_common_group(struct common_opts *common, const char *title);
/* Applies -v levels and routes libbpf's log. */
void cli_apply_common(const struct common_opts *common);
/* Parses an unsigned number in [min, max] for @flag; reports the error. */
bool cli_parse_uint(const char *flag, const char *arg, unsigned long min, unsigned long max,
		    unsigned long *out);

#endif
