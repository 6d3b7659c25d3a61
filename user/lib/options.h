/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * One declaration per command-line option, from which getopt's table, the
 * short-option string and the --help lines are all made (the README check in
 * the e2e tests reads that --help), so that an option cannot be parsed but
 * undocumented, or documented but unknown. A command lists groups of them
 * (its own, the node settings, a CNI module's, the common ones); each group
 * has a handler that takes the options it declared.
 */
#ifndef MTUGUARD_OPTIONS_H
#define MTUGUARD_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct opt_def {
	const char *name; /* the long name, without "--" */
	char letter;	  /* the short name, 0 for none */
	const char *arg;  /* the argument's placeholder ("IFACE"); NULL: a flag */
	const char *help; /* one or more lines, "\n" between them */
};

/* Returns 0 when it took the option, -1 after reporting a bad value, or a
 * positive value to stop parsing there (--help), which options_parse
 * returns. */
typedef int (*opt_handler)(void *ctx, const struct opt_def *opt, const char *arg);

struct opt_group {
	const char *title; /* the --help heading: "Node settings", "Output" */
	const struct opt_def *defs;
	size_t n;
	opt_handler handle;
	void *ctx;
	const char *note; /* lines printed after the group's options, or NULL */
};

#define OPT_DEFS(a) (a), (sizeof(a) / sizeof((a)[0]))

/*
 * Parses argv (argv[0] is the command's name) with getopt_long over every
 * group's options. Returns 0 when every option was taken and no argument
 * is left over, a handler's positive value when it stopped the parse, -1
 * after reporting what is wrong (an unknown option, a bad value, a stray
 * argument), with the hint to run COMMAND --help.
 */
int options_parse(const char *command, int argc, char **argv, const struct opt_group *groups,
		  size_t n_groups);
/* The --help lines of every group, under their titles. */
void options_print_help(FILE *out, const struct opt_group *groups, size_t n_groups);
/* The definition named @name in @groups, or NULL (for the tests). */
const struct opt_def *options_find(const struct opt_group *groups, size_t n_groups,
				   const char *name);

#endif
