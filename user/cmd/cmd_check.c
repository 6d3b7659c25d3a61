// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `mtuguard check`: the static MTU audit, before and after every change. */
#include <stdio.h>

#include "cmd/commands.h"
#include "datapath/bpffs.h"
#include "cmd/node_opts.h"
#include "lib/cli.h"
#include "lib/log.h"
#include "limits/audit.h"
#include "report/audit_report.h"

static const char check_help_intro[] =
	"Usage: mtuguard check [OPTIONS]\n"
	"\n"
	"Audit this node's MTUs with no traffic and no BPF: every Pod veth (both ends),\n"
	"the uplink and, when it is bridged, the NIC under it, the gateway and the\n"
	"tunnel, against what the CNI intends. Reports each inconsistency with its\n"
	"kind, the Pod, the MTUs, the likely cause and the remedy, then the Pods to\n"
	"restart as kubectl lines. Run it before and after every change of mode.\n"
	"\n"
	"Kinds: pod_mtu_above_path_mtu (black hole), pod_mtu_below_expected (stale),\n"
	"veth_ends_differ, uplink_port_below_nic (Open vSwitch's minimum effect),\n"
	"gateway_mtu_mismatch, tunnel_mtu_below_pod_mtu, default_mtu_above_path_mtu.\n"
	"\n";

static const char check_help_outro[] =
	"\n"
	"Exit status: 0 consistent, 1 inconsistencies found, 2 error. Reading another\n"
	"netns's veth end needs CAP_NET_ADMIN (run as root).\n"
	"\n"
	"Example: mtuguard check --antrea-config /etc/antrea/antrea-agent.conf\n";

int cmd_check(int argc, char **argv)
{
	struct opt_group groups[NODE_OPT_GROUPS_MAX + 1];
	size_t n;
	struct common_opts common;
	struct check_report report;
	struct node_opts no;
	struct view v;
	int ret;

	cli_common_init(&common, "one JSON document on stdout", MG_DEFAULT_PIN_DIR,
			"accepted for symmetry; check pins nothing");
	if (node_opts_init(&no))
		return EXIT_ERROR;
	n = node_opts_groups(&no, groups);
	groups[n++] = cli_common_group(&common, "Output");
	ret = options_parse("check", argc, argv, groups, n);
	if (ret == CLI_HELP) {
		fputs(check_help_intro, stdout);
		options_print_help(stdout, groups, n);
		fputs(check_help_outro, stdout);
	}
	if (ret) {
		node_opts_free(&no);
		return ret == CLI_HELP ? EXIT_OK : EXIT_ERROR;
	}
	cli_apply_common(&common);

	if (node_opts_view(&no, &v)) {
		node_opts_free(&no);
		return EXIT_ERROR;
	}
	ret = EXIT_ERROR;
	if (check_node(&v, &report)) {
		pr_err("out of memory while checking");
		goto out;
	}
	check_print(&report, &v, common.json);
	ret = report.n ? EXIT_FOUND : EXIT_OK;
	check_report_free(&report);
out:
	view_free(&v);
	return ret;
}
