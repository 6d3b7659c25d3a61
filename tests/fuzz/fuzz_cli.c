// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target: the values of the command line. The input is split at
 * NUL bytes into option values, each handed to every value parser the
 * commands use (the option letters themselves are getopt's business).
 */
#include <string.h>
#include <sys/socket.h>

#include "datapath/attach.h"
#include "lib/cli.h"
#include "fuzz_input.h"
#include "report/metrics.h"
#include "cmd/settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[512];
	const char *arg;
	struct settings s;
	size_t len = size < sizeof(buf) - 1 ? size : sizeof(buf) - 1;
	int opt;

	fuzz_quiet();
	memcpy(buf, data, len);
	buf[len] = '\0';
	settings_init(&s);
	for (arg = buf; arg < buf + len; arg += strlen(arg) + 1) {
		struct sockaddr_storage addr;
		enum attach_mode mode;
		unsigned long v;

		for (opt = OPT_UPLINK; opt <= OPT_PATH_MTU; opt++)
			(void)settings_option(&s, opt, arg);
		(void)cli_parse_uint("--duration", arg, 1, 31536000, &v);
		(void)metrics_parse_addr(arg, &addr);
		(void)attach_parse_mode(arg, &mode);
	}
	settings_free(&s);
	return 0;
}
