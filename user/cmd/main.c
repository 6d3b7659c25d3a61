// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* mtuguard: the subcommand table and dispatch. */
#include <stdio.h>
#include <string.h>

#include "lib/cli.h"
#include "cmd/commands.h"

#define MTUGUARD_VERSION "0.1.0"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "watch", cmd_watch, "attach to the Pod veths and uplink, alert on oversize packets" },
	{ "check", cmd_check, "audit Pod, uplink and gateway MTUs against the mode (no BPF)" },
	{ "fix", cmd_fix, "mend what check finds, live: planned, verified, undoable" },
	{ "stats", cmd_stats, "print the counters a running or past watch pinned" },
	{ "detach", cmd_detach, "remove every link, filter and pin mtuguard left" },
};

static void usage(FILE *out)
{
	size_t i;

	fprintf(out,
		"Usage: mtuguard COMMAND [OPTIONS]\n"
		"\n"
		"Finds the packets a Kubernetes node loses because a Pod's MTU is larger than\n"
		"the path they take (IPv4 with DF, and IPv6), and names the Pod.\n"
		"\n"
		"Commands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n"
		     "Every command takes --json, --pin DIR, -v and --help.\n"
		     "Run 'mtuguard COMMAND --help' for its options.\n"
		     "\n"
		     "Exit status: 0 success, 1 check found an inconsistency, 2 error (bad\n"
		     "usage, missing privileges, a failure).\n");
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return EXIT_ERROR;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("mtuguard %s\n", MTUGUARD_VERSION);
		return EXIT_OK;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr, "mtuguard: error: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_ERROR;
}
