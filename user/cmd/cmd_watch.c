// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `mtuguard watch`: its options, and the order of things: the view of the
 * node, what `check` says, load and attach the guard, the start banner,
 * drop privileges, the event loop (events/loop.c), then detach, flush and
 * the summary.
 */
#include <bpf/libbpf.h>
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"
#include "cmd/node_opts.h"
#include "datapath/assist.h"
#include "datapath/bpffs.h"
#include "datapath/guard.h"
#include "datapath/privileges.h"
#include "events/loop.h"
#include "lib/cli.h"
#include "lib/log.h"
#include "limits/audit.h"
#include "node/monitor.h"
#include "report/audit_report.h"
#include "report/banner.h"
#include "report/metrics.h"
#include "fix/journal.h"
#include "lib/nodefile.h"

static const char watch_help_intro[] =
	"Usage: mtuguard watch [OPTIONS]\n"
	"\n"
	"Watch this node's datapath for packets larger than the MTU of the path they\n"
	"take (IPv4 with DF set, and IPv6, which no router fragments) and name the Pod\n"
	"that sends or should receive them. Starts with what `mtuguard check` says, then\n"
	"attaches to the host side of every Pod veth (a veth whose peer lives in another\n"
	"netns) and to the uplink, prints one alert per offending flow and second, and\n"
	"on exit (Ctrl-C, SIGTERM or --duration) detaches, reports what is left and\n"
	"prints a summary of the exact counts. A watch that starts over hooks an\n"
	"earlier one left (--keep-attached, or it died) takes them over in place.\n"
	"\n"
	"Where packets are checked:\n"
	"  pod_ingress     what a Pod sends: over its path MTU, or over the MTU of the\n"
	"                  local Pod it is addressed to\n"
	"  pod_egress      what a Pod is sent: over its MTU; ICMP too-big it receives\n"
	"  uplink_ingress  what arrives for a local Pod: over that Pod's MTU; ICMP\n"
	"                  too-big addressed to a local Pod\n"
	"\n";

static const char watch_help_outro[] =
	"\n"
	"Exit status: 0 after a clean stop, 2 on error (bad option, no privileges, no\n"
	"BTF, unknown interface). Needs root or CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN.\n"
	"\n"
	"Example: mtuguard watch --uplink ens192 --duration 60 --json\n";

struct watch_opts {
	struct common_opts common;
	struct node_opts node;
	unsigned long duration_s;
	unsigned long sample_interval_ms;
	enum attach_mode attach_mode;
	bool uplink_xdp;
	bool keep_attached;
	bool assist;	/* --assist: answer oversize packets (and clamp MSS) */
	bool clamp_mss; /* --clamp-mss: clamp MSS only */
	bool metrics;
	const char *metrics_text;
	struct sockaddr_storage metrics_addr;
	unsigned long keep_gone_s; /* --metrics-keep-gone */
	const char *state_dir;	   /* --state-dir, NULL: under the host root */
};

enum {
	OPT_DURATION,
	OPT_SAMPLE_INTERVAL,
	OPT_ATTACH,
	OPT_UPLINK_XDP,
	OPT_KEEP_ATTACHED,
	OPT_ASSIST,
	OPT_CLAMP_MSS,
	OPT_METRICS,
	OPT_METRICS_KEEP_GONE,
	OPT_STATE_DIR,
};

static const struct opt_def watch_defs[] = {
	[OPT_DURATION] = { "duration", 0, "SEC",
			   "stop after SEC seconds (default: run until interrupted)" },
	[OPT_SAMPLE_INTERVAL] = { "sample-interval", 0, "MS",
				  "at most one alert per flow per MS milliseconds; the\n"
				  "packets in between are counted into the next (default 1000)" },
	[OPT_ATTACH] = { "attach", 0, "auto|tcx|tc",
			 "TC hook flavour: TCX links (kernel 6.6+), clsact filters,\n"
			 "or auto, TCX where the kernel has it (default). TCX runs\n"
			 "before a CNI's TCX programs but the kernel takes an RCU\n"
			 "grace period per link (1,000 Pods: about 30 s to start\n"
			 "and to stop); tc is fast, and fine on Open vSwitch CNIs\n"
			 "(Antrea), but blind behind a CNI's redirecting TCX program" },
	[OPT_UPLINK_XDP] = { "uplink-xdp", 0, NULL,
			     "watch the uplink with native XDP instead of TC ingress;\n"
			     "refused where the driver has none or an XDP program is there" },
	[OPT_KEEP_ATTACHED] = { "keep-attached", 0, NULL,
				"leave the hooks attached and the maps pinned at exit:\n"
				"the node stays watched until the next watch over the same\n"
				"--pin takes them over in place, with no gap and with the\n"
				"counts going on (the DaemonSet's upgrades); `mtuguard\n"
				"detach` removes them. Without it, exit detaches" },
	[OPT_ASSIST] = { "assist", 0, NULL,
			 "ACT ON TRAFFIC: answer a Pod's oversize DF packet on a path\n"
			 "that drops it silently (a bridge, Open vSwitch) with the ICMP\n"
			 "too-big a router would send, and drop it (it is lost anyway),\n"
			 "so the Pod's TCP learns the path MTU; and clamp the MSS of\n"
			 "SYNs and SYN-ACKs to the path. Needs TCX (kernel 6.6+)" },
	[OPT_CLAMP_MSS] = { "clamp-mss", 0, NULL,
			    "ACT ON TRAFFIC: only clamp the MSS of the Pods' SYNs and\n"
			    "SYN-ACKs to their path's limit (new TCP connections fit;\n"
			    "nothing is answered or dropped). Needs TCX" },
	[OPT_METRICS] = { "metrics", 0, "[ADDR:]PORT",
			  "serve Prometheus metrics on http://ADDR:PORT/metrics, with\n"
			  "/healthz and /readyz; a bare PORT is loopback only, :PORT\n"
			  "every address (as the DaemonSet does for Prometheus)" },
	[OPT_METRICS_KEEP_GONE] = { "metrics-keep-gone", 0, "SEC",
				    "serve a deleted Pod's counters for SEC seconds more, so\n"
				    "that scrapes see its last counts (default 300; 0: drop\n"
				    "them at once)" },
	[OPT_STATE_DIR] = { "state-dir", 0, "DIR",
			    "where mtuguard fix keeps its lock: what a fix changes is\n"
			    "one fixed event, not drift (default <host root>" FIX_STATE_DIR ")" },
};

static int watch_option(void *ctx, const struct opt_def *opt, const char *arg)
{
	struct watch_opts *o = ctx;

	switch (opt - watch_defs) {
	case OPT_DURATION:
		return cli_parse_uint("--duration", arg, 1, 31536000, &o->duration_s) ? 0 : -1;
	case OPT_SAMPLE_INTERVAL:
		return cli_parse_uint("--sample-interval", arg, 1, 3600000, &o->sample_interval_ms)
			       ? 0
			       : -1;
	case OPT_ATTACH:
		if (attach_parse_mode(arg, &o->attach_mode)) {
			pr_err("--attach is auto, tcx or tc, not '%s'", arg);
			return -1;
		}
		return 0;
	case OPT_UPLINK_XDP:
		o->uplink_xdp = true;
		return 0;
	case OPT_KEEP_ATTACHED:
		o->keep_attached = true;
		return 0;
	case OPT_ASSIST:
		o->assist = true;
		return 0;
	case OPT_CLAMP_MSS:
		o->clamp_mss = true;
		return 0;
	case OPT_METRICS:
		if (!metrics_parse_addr(arg, &o->metrics_addr))
			return -1;
		o->metrics = true;
		o->metrics_text = arg;
		return 0;
	case OPT_STATE_DIR:
		o->state_dir = arg;
		return 0;
	case OPT_METRICS_KEEP_GONE:
		return cli_parse_uint("--metrics-keep-gone", arg, 0, 86400, &o->keep_gone_s) ? 0
											     : -1;
	}
	return -1;
}

/* Returns -1 to go on, else the exit code (help, or a bad command line). */
static int parse_watch_opts(int argc, char **argv, struct watch_opts *o)
{
	struct opt_group groups[NODE_OPT_GROUPS_MAX + 2];
	size_t n;
	int ret;

	*o = (struct watch_opts){ .sample_interval_ms = 1000, .keep_gone_s = 300 };
	cli_common_init(&o->common, "one JSON object per line on stdout", MG_DEFAULT_PIN_DIR,
			"pin maps and links below DIR on bpffs (default\n" MG_DEFAULT_PIN_DIR
			"; bpffs is mounted if absent)");
	if (node_opts_init(&o->node))
		return EXIT_ERROR;
	n = node_opts_groups(&o->node, groups);
	groups[n++] = (struct opt_group){
		.title = "Watching", .defs = OPT_DEFS(watch_defs), .handle = watch_option, .ctx = o
	};
	groups[n++] = cli_common_group(&o->common, "Output");
	ret = options_parse("watch", argc, argv, groups, n);
	if (ret == CLI_HELP) {
		fputs(watch_help_intro, stdout);
		options_print_help(stdout, groups, n);
		fputs(watch_help_outro, stdout);
		return EXIT_OK;
	}
	return ret ? EXIT_ERROR : -1;
}

/* What `mtuguard check` would say, before the first packet. */
static void print_check(const struct view *v, bool json)
{
	struct check_report report;

	if (check_node(v, &report))
		return;
	check_print(&report, v, json);
	check_report_free(&report);
}

static struct metrics *serve_metrics(const struct watch_opts *o, const struct view *v,
				     const struct guard *g, const struct follower *f)
{
	struct metrics_source src = {
		.view = v,
		.guard = g,
		.follower = f,
		.drops_fd = guard_drops_fd(g),
		.keep_gone_s = (unsigned int)o->keep_gone_s,
	};
	struct metrics *m =
		metrics_start(&o->metrics_addr, o->metrics_text, &src, &HTTP_GUARD_DEFAULTS);

	if (m)
		metrics_set_ready(m, true);
	return m;
}

int cmd_watch(int argc, char **argv)
{
	struct assist_opts assist;
	struct guard_opts gopts;
	struct watch_opts o;
	struct follower follower;
	struct drop_watch drops;
	struct alerts alerts;
	struct loop loop = {};
	struct banner banner;
	struct view v = {};
	struct guard g;
	char fix_dir[PATH_MAX];
	int ret, err;

	ret = parse_watch_opts(argc, argv, &o);
	if (ret >= 0) {
		node_opts_free(&o.node);
		return ret;
	}
	cli_apply_common(&o.common);
	loop_install_signals();
	/* A busy port is refused before anything is attached. */
	if (privileges_check() ||
	    (o.metrics && metrics_check_addr(&o.metrics_addr, o.metrics_text)) ||
	    node_opts_view(&o.node, &v)) {
		node_opts_free(&o.node);
		return EXIT_ERROR;
	}
	alerts_init(&alerts, &v, o.common.json);
	print_check(&v, o.common.json);

	if ((o.assist || o.clamp_mss) && o.attach_mode == ATTACH_TC) {
		pr_err("--%s needs TCX links (kernel 6.6+), to run after mtuguard's observer and "
		       "before the CNI; drop --attach tc",
		       o.assist ? "assist" : "clamp-mss");
		ret = EXIT_ERROR;
		goto out_view;
	}
	assist = (struct assist_opts){ .silent_sources = limits_silent_sources(&v.node, v.cni),
				       .answer = o.assist };
	if (o.assist && !assist.silent_sources)
		pr_warn("--assist: no path on this node drops oversize packets silently (they are "
			"routed, and the node answers them itself): it only clamps MSS");
	alerts.assist_on = o.assist;
	alerts.assist_silent = assist.silent_sources;
	gopts = (struct guard_opts){
		.assist = o.assist || o.clamp_mss ? &assist : NULL,
		.pin_dir = o.common.pin_dir,
		.sample_interval_ns = (__u64)o.sample_interval_ms * 1000000ULL,
		.attach_mode = o.attach_mode,
		.uplink_xdp = o.uplink_xdp,
	};
	ret = EXIT_ERROR;
	if (guard_load(&g, &gopts))
		goto out_view;
	if (guard_configure(&g, &v.node, &v.limits) || guard_attach(&g, &v.node, o.uplink_xdp))
		goto out_guard;
	loop.rb = ring_buffer__new(guard_events_fd(&g), alerts_on_sample, &alerts, NULL);
	if (!loop.rb) {
		pr_err("cannot open the ring buffer: %s", strerror(errno));
		goto out_guard;
	}
	/* Subscribed before the capabilities go: the kernel hands events from
	 * other namespaces (the Pods' ends) only to a socket whose opener held
	 * CAP_NET_BROADCAST (af_netlink.c, do_one_broadcast). */
	loop.mon = monitor_open();
	if (!loop.mon)
		pr_warn("cannot subscribe to rtnetlink (%s): Pods created from now on are not "
			"watched",
			strerror(errno));
	else if (!privileges_net_broadcast())
		pr_warn("no CAP_NET_BROADCAST: events from the Pods' namespaces (an address or "
			"an MTU set after the veth appears) are not seen; grant it to follow them");
	privileges_drop();
	/* Starting parsed the kernel's BTF (about 11 MiB) and built the start
	 * report (a JSON object per Pod), all freed by now: hand that heap
	 * back, or it stays in the resident size of a process that runs for
	 * weeks (at 1,000 Pods, 23 MiB instead of 16). */
	malloc_trim(0);

	if (o.state_dir)
		snprintf(fix_dir, sizeof(fix_dir), "%s", o.state_dir);
	else
		host_path(fix_dir, sizeof(fix_dir), o.node.host_root, FIX_STATE_DIR);
	follow_init(&follower, &v, &g, o.common.json, fix_dir);
	drop_watch_init(&drops, guard_drops_fd(&g), o.common.json);
	loop.follower = &follower;
	loop.drops = &drops;
	loop.alerts = &alerts;
	loop.view = &v;
	loop.duration_ms = o.duration_s * 1000;
	if (o.metrics) {
		loop.metrics = serve_metrics(&o, &v, &g, &follower);
		if (!loop.metrics)
			goto out_follow;
	}
	/* Last: the start event means attached, following and serving, so
	 * that whoever waits for it can probe /readyz at once. */
	banner.attach = g.attached.n ? attach_kind_name(g.attached.items[0].kind) : "none";
	banner.uplink_hook = o.uplink_xdp ? "xdp" : "tc";
	banner.taken_over = g.attached.taken_over;
	banner.keep_attached = o.keep_attached;
	banner.assist = gopts.assist;
	banner_print(&v, &banner, o.common.json);
	err = loop_run(&loop);
	metrics_stop(loop.metrics);
	if (o.keep_attached)
		guard_keep(&g);
	else
		guard_detach(&g);
	if (!loop_finish(&loop, &g) && !err)
		ret = EXIT_OK;
out_follow:
	monitor_close(loop.mon);
	follow_free(&follower);
	drop_watch_free(&drops);
	ring_buffer__free(loop.rb);
out_guard:
	if (ret != EXIT_OK)
		guard_unpin(&g);
	guard_close(&g);
out_view:
	alerts_free(&alerts);
	view_free(&v);
	return ret;
}
