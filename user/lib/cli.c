// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "lib/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/log.h"

void cli_common_init(struct common_opts *common, const char *json_help, const char *pin_dir,
		     const char *pin_help)
{
	*common = (struct common_opts){
		.pin_dir = pin_dir,
		.defs = {
			{ "json", 'j', NULL, json_help },
			{ "pin", 'p', "DIR", pin_help },
			{ "verbose", 'v', NULL, "more diagnostics on stderr (-vv: libbpf's log too)" },
			{ "help", 'h', NULL, "this help" },
		},
	};
}

static int common_option(void *ctx, const struct opt_def *opt, const char *arg)
{
	struct common_opts *common = ctx;

	switch (opt->letter) {
	case 'j':
		common->json = true;
		return 0;
	case 'p':
		common->pin_dir = arg;
		return 0;
	case 'v':
		common->verbosity++;
		return 0;
	case 'h':
		return CLI_HELP;
	}
	return -1;
}

struct opt_group cli_common_group(struct common_opts *common, const char *title)
{
	return (struct opt_group){ .title = title,
				   .defs = common->defs,
				   .n = sizeof(common->defs) / sizeof(common->defs[0]),
				   .handle = common_option,
				   .ctx = common };
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
