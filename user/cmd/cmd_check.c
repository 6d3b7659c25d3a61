// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `mtuguard check`: the static MTU audit, before and after every change. */
#include <stdio.h>

#include "datapath/bpffs.h"
#include "limits/check.h"
#include "lib/cli.h"
#include "cmd/commands.h"
#include "lib/log.h"
#include "node/node.h"
#include "report/output.h"
#include "cmd/settings.h"

static const char check_help_intro[] =
	"Usage: mtuguard check [OPTIONS]\n"
	"\n"
	"Audit this node's MTUs with no traffic and no BPF: every Pod veth (both ends),\n"
	"the uplink and, when it is bridged, the NIC under it, the gateway and the\n"
	"tunnel, against what the traffic mode implies. Reports each inconsistency with\n"
	"its kind, the Pod, the MTUs, the likely cause and the remedy, then the Pods to\n"
	"restart as kubectl lines. Run it before and after every change of mode.\n"
	"\n"
	"Kinds: pod_mtu_above_path_mtu (black hole), pod_mtu_below_expected (stale),\n"
	"veth_ends_differ, uplink_port_below_nic (Open vSwitch's minimum effect),\n"
	"gateway_mtu_mismatch, tunnel_mtu_below_pod_mtu, default_mtu_above_path_mtu.\n"
	"\n";

static const char check_help_outro[] =
	"Output:\n"
	"  --json                 one JSON document on stdout\n"
	"  -v, --verbose          more diagnostics on stderr\n"
	"  --pin DIR              accepted for symmetry; check pins nothing\n"
	"  -h, --help             this help\n"
	"\n"
	"Exit status: 0 consistent, 1 inconsistencies found, 2 error. Reading another\n"
	"netns's veth end needs CAP_NET_ADMIN (run as root).\n"
	"\n"
	"Example: mtuguard check --antrea-config /etc/antrea/antrea-agent.conf\n";

int cmd_check(int argc, char **argv)
{
	static const struct option long_opts[] = {
		SETTINGS_LONG_OPTS,
		COMMON_LONG_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct common_opts common = { .pin_dir = MG_DEFAULT_PIN_DIR };
	struct check_report report;
	struct settings s;
	struct node node;
	const char *uplink;
	int opt, handled, ret;

	settings_init(&s);
	while ((opt = getopt_long(argc, argv, COMMON_SHORT_OPTS, long_opts, NULL)) != -1) {
		if (cli_common_option(opt, optarg, &common))
			continue;
		if (opt == 'h') {
			printf("%s%s\n%s", check_help_intro, settings_help, check_help_outro);
			return EXIT_OK;
		}
		handled = settings_option(&s, opt, optarg);
		if (handled < 0)
			return EXIT_ERROR;
		if (!handled)
			return cli_usage_error("check");
	}
	if (optind < argc) {
		pr_err("check takes no arguments, only options ('%s')", argv[optind]);
		return cli_usage_error("check");
	}
	cli_apply_common(&common);

	if (settings_load_config(&s, &uplink) || node_discover(&node, uplink))
		return EXIT_ERROR;
	settings_apply(&s, &node);
	ret = EXIT_ERROR;
	if (check_node(&node, &s.policy, &report)) {
		pr_err("out of memory while checking");
		goto out;
	}
	if (common.json) {
		struct json_object *o = check_to_json(&report, &node, &s.policy, s.mode_reason);

		output_json_line(o);
		json_object_put(o);
	} else {
		check_print_text(&report, &node, &s.policy, s.mode_reason);
	}
	ret = report.n ? EXIT_FOUND : EXIT_OK;
	check_report_free(&report);
out:
	node_free(&node);
	settings_free(&s);
	return ret;
}
