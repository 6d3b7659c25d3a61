// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "lib/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "datapath/bpffs.h"
#include "lib/log.h"

bool cli_common_option(int opt, const char *arg, struct common_opts *common)
{
	switch (opt) {
	case 'j':
		common->json = true;
		return true;
	case 'p':
		common->pin_dir = arg;
		return true;
	case 'v':
		common->verbosity++;
		return true;
	default:
		return false;
	}
}

void cli_apply_common(const struct common_opts *common)
{
	enum log_level level = LOG_WARN + common->verbosity;

	log_set_level(level > LOG_DEBUG ? LOG_DEBUG : level);
	log_set_json_errors(common->json);
	log_route_libbpf();
}

bool cli_parse_uint(const char *flag, const char *arg, unsigned long min, unsigned long max,
		    unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || v < min || v > max) {
		pr_err("%s takes a whole number from %lu to %lu, not '%s'", flag, min, max, arg);
		return false;
	}
	*out = v;
	return true;
}

int cli_usage_error(const char *cmd)
{
	fprintf(stderr, "Try 'mtuguard %s --help' for the options.\n", cmd);
	return EXIT_ERROR;
}
