// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target: the values of the command line. The input is split at
 * NUL bytes into option values, each handed to every option of the node
 * settings' groups (through their declared handlers, as options_parse
 * would) and to the other value parsers the commands use.
 */
#include <string.h>
#include <sys/socket.h>

#include "cmd/node_opts.h"
#include "datapath/attach.h"
#include "fuzz_input.h"
#include "lib/cli.h"
#include "report/metrics.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct opt_group groups[NODE_OPT_GROUPS_MAX];
	char buf[512];
	const char *arg;
	struct node_opts o;
	size_t len = size < sizeof(buf) - 1 ? size : sizeof(buf) - 1;
	size_t g, d, n;

	fuzz_quiet();
	memcpy(buf, data, len);
	buf[len] = '\0';
	if (node_opts_init(&o))
		return 0;
	n = node_opts_groups(&o, groups);
	for (arg = buf; arg < buf + len; arg += strlen(arg) + 1) {
		struct sockaddr_storage addr;
		enum attach_mode mode;
		unsigned long v;

		for (g = 0; g < n; g++) {
			for (d = 0; d < groups[g].n; d++)
				(void)groups[g].handle(groups[g].ctx, &groups[g].defs[d], arg);
		}
		(void)cli_parse_uint("--duration", arg, 1, 31536000, &v);
		(void)metrics_parse_addr(arg, &addr);
		(void)attach_parse_mode(arg, &mode);
	}
	node_opts_free(&o);
	return 0;
}
