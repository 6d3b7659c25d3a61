// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `mtuguard watch`: discover the node, load and attach the guard, stream
 * one alert per sample until interrupted or --duration, then detach, flush
 * what the sampler folded, and print the summary.
 */
#include <bpf/libbpf.h>
#include <errno.h>
#include <malloc.h>
#include <net/if.h>
#include <signal.h>
#include <sys/epoll.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "datapath/bpffs.h"
#include "limits/check.h"
#include "lib/cli.h"
#include "events/follow.h"
#include "report/metrics.h"
#include "node/monitor.h"
#include "cmd/commands.h"
#include "datapath/counters.h"
#include "datapath/guard.h"
#include "lib/log.h"
#include "report/names.h"
#include "node/node.h"
#include "report/output.h"
#include "podid/podid.h"
#include "cni/antrea_mtu.h"
#include "cmd/settings.h"
#include "report/summary.h"

#define POLL_INTERVAL_MS 200

static const char watch_help_intro[] =
	"Usage: mtuguard watch [OPTIONS]\n"
	"\n"
	"Watch this node's datapath for packets larger than the MTU of the path they\n"
	"take (IPv4 with DF set, and IPv6, which no router fragments) and name the Pod\n"
	"that sends or should receive them. Starts with what `mtuguard check` says, then\n"
	"attaches to the host side of every Pod veth (a veth whose peer lives in another\n"
	"netns) and to the uplink, prints one alert per offending flow and second, and\n"
	"on exit (Ctrl-C, SIGTERM or --duration) detaches, reports what is left and\n"
	"prints a summary of the exact counts.\n"
	"\n"
	"Where packets are checked:\n"
	"  pod_ingress     what a Pod sends: over its path MTU, or over the MTU of the\n"
	"                  local Pod it is addressed to\n"
	"  pod_egress      what a Pod is sent: over its MTU; ICMP too-big it receives\n"
	"  uplink_ingress  what arrives for a local Pod: over that Pod's MTU; ICMP\n"
	"                  too-big addressed to a local Pod\n"
	"\n";

static const char watch_help_outro[] =
	"Watching:\n"
	"  --duration SEC         stop after SEC seconds (default: run until interrupted)\n"
	"  --sample-interval MS   at most one alert per flow per MS milliseconds; the\n"
	"                         packets in between are counted into the next (default 1000)\n"
	"  --attach auto|tcx|tc   TC hook flavour: TCX links (kernel 6.6+), clsact filters,\n"
	"                         or auto, TCX where the kernel has it (default). TCX runs\n"
	"                         before a CNI's TCX programs but the kernel takes an RCU\n"
	"                         grace period per link (1,000 Pods: about 30 s to start\n"
	"                         and to stop); tc is fast, and fine on Open vSwitch CNIs\n"
	"                         (Antrea), but blind behind a CNI's redirecting TCX program\n"
	"  --uplink-xdp           watch the uplink with native XDP instead of TC ingress;\n"
	"                         refused where the driver has none or an XDP program is there\n"
	"  --metrics [ADDR:]PORT  serve Prometheus metrics on http://ADDR:PORT/metrics, with\n"
	"                         /healthz and /readyz; a bare PORT is loopback only, :PORT\n"
	"                         every address (as the DaemonSet does for Prometheus)\n"
	"  --pin DIR              pin maps and links below DIR on bpffs (default\n"
	"                         " MG_DEFAULT_PIN_DIR "; bpffs is mounted if absent)\n"
	"  --json                 one JSON object per line on stdout\n"
	"  -v, --verbose          more diagnostics on stderr (-vv: libbpf's log too)\n"
	"  -h, --help             this help\n"
	"\n"
	"Exit status: 0 after a clean stop, 2 on error (bad option, no privileges, no\n"
	"BTF, unknown interface). Needs root or CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON.\n"
	"\n"
	"Example: mtuguard watch --uplink ens192 --duration 60 --json\n";

struct watch_opts {
	struct common_opts common;
	struct settings settings;
	unsigned long duration_s;
	unsigned long sample_interval_ms;
	enum attach_mode attach_mode;
	bool uplink_xdp;
	bool metrics;
	const char *metrics_text;
	struct sockaddr_storage metrics_addr;
};

/* What the ring-buffer callback needs to turn a sample into an alert. */
struct watch_ctx {
	const struct watch_opts *opts;
	struct settings *settings; /* to name a Pod that appeared after the start */
	struct node *node;
	char path_detail[160];
	struct alert_tally tally;
	struct guard *guard;
	struct drop_row *drops_seen; /* confirmed drops already reported */
	size_t n_drops_seen;
	time_t drops_checked;
	int err;
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static int parse_watch_opts(int argc, char **argv, struct watch_opts *o)
{
	enum {
		OPT_DURATION = 256,
		OPT_SAMPLE_INTERVAL,
		OPT_ATTACH,
		OPT_UPLINK_XDP,
		OPT_METRICS,
	};
	static const struct option long_opts[] = {
		{ "duration", required_argument, NULL, OPT_DURATION },
		{ "sample-interval", required_argument, NULL, OPT_SAMPLE_INTERVAL },
		{ "attach", required_argument, NULL, OPT_ATTACH },
		{ "uplink-xdp", no_argument, NULL, OPT_UPLINK_XDP },
		{ "metrics", required_argument, NULL, OPT_METRICS },
		SETTINGS_LONG_OPTS,
		COMMON_LONG_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	int opt, handled;

	*o = (struct watch_opts){
		.common.pin_dir = MG_DEFAULT_PIN_DIR,
		.sample_interval_ms = 1000,
	};
	settings_init(&o->settings);
	while ((opt = getopt_long(argc, argv, COMMON_SHORT_OPTS, long_opts, NULL)) != -1) {
		if (cli_common_option(opt, optarg, &o->common))
			continue;
		handled = settings_option(&o->settings, opt, optarg);
		if (handled < 0)
			return EXIT_ERROR;
		if (handled)
			continue;
		switch (opt) {
		case 'h':
			printf("%s%s\n%s", watch_help_intro, settings_help, watch_help_outro);
			return EXIT_OK;
		case OPT_DURATION:
			if (!cli_parse_uint("--duration", optarg, 1, 31536000, &o->duration_s))
				return EXIT_ERROR;
			break;
		case OPT_SAMPLE_INTERVAL:
			if (!cli_parse_uint("--sample-interval", optarg, 1, 3600000,
					    &o->sample_interval_ms))
				return EXIT_ERROR;
			break;
		case OPT_ATTACH:
			if (attach_parse_mode(optarg, &o->attach_mode)) {
				pr_err("--attach is auto, tcx or tc, not '%s'", optarg);
				return EXIT_ERROR;
			}
			break;
		case OPT_UPLINK_XDP:
			o->uplink_xdp = true;
			break;
		case OPT_METRICS:
			if (!metrics_parse_addr(optarg, &o->metrics_addr))
				return EXIT_ERROR;
			o->metrics = true;
			o->metrics_text = optarg;
			break;
		default:
			return cli_usage_error("watch");
		}
	}
	if (optind < argc) {
		pr_err("watch takes no arguments, only options ('%s')", argv[optind]);
		return cli_usage_error("watch");
	}
	return -1; /* go on */
}

/* The monotonic timestamp of a sample, as wall-clock time. */
static struct timespec wall_time_of(__u64 ktime_ns)
{
	struct timespec mono, real, res;
	__s64 ago_ns;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	ago_ns = (__s64)mono.tv_sec * 1000000000LL + mono.tv_nsec - (__s64)ktime_ns;
	if (ago_ns < 0)
		ago_ns = 0;
	ago_ns = (__s64)real.tv_sec * 1000000000LL + real.tv_nsec - ago_ns;
	res.tv_sec = ago_ns / 1000000000LL;
	res.tv_nsec = ago_ns % 1000000000LL;
	return res;
}

static const struct pod_iface *pod_by_addr(const struct node *node, const struct mg_addr *addr)
{
	size_t i, a;

	for (i = 0; i < node->n_pods; i++) {
		for (a = 0; a < node->pods[i].n_addrs; a++) {
			if (!memcmp(&node->pods[i].addrs[a], addr, sizeof(*addr)))
				return &node->pods[i];
		}
	}
	return NULL;
}

static void describe_limit(const struct watch_ctx *ctx, const struct mg_event *ev, char *buf,
			   size_t size)
{
	const struct pod_iface *dst;

	switch (ev->limit_source) {
	case MG_LIMIT_PATH_MTU:
		snprintf(buf, size, "path MTU: %s", ctx->path_detail);
		break;
	case MG_LIMIT_LOCAL_POD:
		if (ev->flow.hook == MG_HOOK_UPLINK_INGRESS) {
			snprintf(buf, size, "the Pod's MTU");
			break;
		}
		dst = pod_by_addr(ctx->node, &ev->flow.daddr);
		if (dst && dst->named)
			snprintf(buf, size, "MTU of local Pod %s/%s", dst->pod.ns, dst->pod.name);
		else
			snprintf(buf, size, "MTU of local Pod behind %s",
				 dst ? dst->ifname : "another veth");
		break;
	case MG_LIMIT_POD_MTU:
		snprintf(buf, size, "the Pod's MTU; the veth drops it");
		break;
	case MG_LIMIT_ICMP:
		snprintf(buf, size, "announced by ICMP");
		break;
	default:
		snprintf(buf, size, "no limit");
	}
}

static void report(struct watch_ctx *ctx, const struct mg_event *ev, bool flush)
{
	struct pod_iface *pod = node_find_pod(ctx->node, (int)ev->pod_ifindex);
	const struct pod_iface *seen_on = node_find_pod(ctx->node, (int)ev->flow.ifindex);
	char detail[POD_NS_MAX + POD_NAME_MAX + 64], iface[IF_NAMESIZE];
	struct alert a;

	if (pod && !pod->named && !pod->gone)
		settings_name_pod(ctx->settings, pod);
	a = (struct alert){
		.ev = ev,
		.flush = flush,
		.pod = pod_label_of(pod),
		.limit_detail = detail,
		.when = wall_time_of(ev->ts_ns),
	};

	if (seen_on)
		a.iface = seen_on->ifname;
	else if ((int)ev->flow.ifindex == node_fabric_link(ctx->node)->ifindex)
		a.iface = node_fabric_link(ctx->node)->name;
	else
		a.iface = if_indextoname(ev->flow.ifindex, iface) ? iface : "?";
	describe_limit(ctx, ev, detail, sizeof(detail));
	output_alert(&a, ctx->opts->common.json);
	if (tally_add(&ctx->tally, ev->flow.ifindex, ev->flow.hook, ev->count))
		ctx->err = -ENOMEM;
}

static int on_sample(void *data, void *raw, size_t size)
{
	struct watch_ctx *ctx = data;

	if (size < sizeof(struct mg_event))
		return 0;
	report(ctx, raw, false);
	return 0;
}

static void on_flush(const struct mg_event *ev, void *data)
{
	report(data, ev, true);
}

static void print_start(const struct watch_ctx *ctx, const struct guard *g)
{
	const struct node *node = ctx->node;
	unsigned int path_mtu = policy_path_mtu(&ctx->opts->settings.policy, node_egress_mtu(node));
	const char *attach = g->attached.n ? attach_kind_name(g->attached.items[0].kind) : "none";
	size_t i;

	if (ctx->opts->common.json) {
		struct json_object *o = json_object_new_object();
		struct json_object *pods = json_object_new_array();

		json_object_object_add(o, "event", json_object_new_string("start"));
		json_object_object_add(o, "uplink", json_object_new_string(node->uplink.name));
		json_object_object_add(o, "uplink_mtu", json_object_new_int((int)node->uplink.mtu));
		json_object_object_add(o, "path_mtu", json_object_new_int((int)path_mtu));
		json_object_object_add(o, "path_mtu_source",
				       json_object_new_string(ctx->path_detail));
		json_object_object_add(o, "attach", json_object_new_string(attach));
		json_object_object_add(
			o, "uplink_hook",
			json_object_new_string(ctx->opts->uplink_xdp ? "xdp" : "tc"));
		for (i = 0; i < node->n_pods; i++) {
			const struct pod_iface *p = &node->pods[i];
			struct pod_label l = pod_label_of(p);
			struct json_object *pod = json_object_new_object();

			json_object_object_add(pod, "iface", json_object_new_string(p->ifname));
			json_object_object_add(pod, "netns", json_object_new_string(p->netns));
			json_object_object_add(pod, "namespace",
					       l.pod ? json_object_new_string(l.pod->ns) : NULL);
			json_object_object_add(pod, "name",
					       l.pod ? json_object_new_string(l.pod->name) : NULL);
			json_object_object_add(pod, "pod_source",
					       p->pod_source ? json_object_new_string(p->pod_source)
							     : NULL);
			json_object_object_add(pod, "host_mtu",
					       json_object_new_int((int)p->host_mtu));
			json_object_object_add(pod, "pod_mtu",
					       json_object_new_int((int)p->pod_mtu));
			json_object_array_add(pods, pod);
		}
		json_object_object_add(o, "pods", pods);
		output_json_line(o);
		json_object_put(o);
		return;
	}
	printf("mtuguard: watching %zu Pod veth%s and uplink %s (MTU %u) with %s; path MTU %u "
	       "(%s). Ctrl-C to stop.\n",
	       node->n_pods, node->n_pods == 1 ? "" : "s", node->uplink.name, node->uplink.mtu,
	       attach, path_mtu, ctx->path_detail);
	for (i = 0; i < node->n_pods; i++) {
		const struct pod_iface *p = &node->pods[i];
		struct pod_label l = pod_label_of(p);
		char who[POD_NS_MAX + POD_NAME_MAX + 2];

		snprintf(who, sizeof(who), "%s%s%s", l.pod ? l.pod->ns : "-", l.pod ? "/" : "",
			 l.pod ? l.pod->name : "");
		printf("  %-16s %-40s netns %-16s MTU %u (Pod end %u)%s\n", p->ifname, who,
		       p->netns, p->host_mtu, p->pod_mtu,
		       l.mtu > path_mtu ? "  <- above the path MTU: its large packets are lost"
					: "");
	}
	fflush(stdout);
}

/* Confirmed drops are counted in the kernel; once a second, report the
 * devices whose count grew, beside the predicted losses. */
static void report_confirmed_drops(struct watch_ctx *ctx)
{
	int fd = guard_drops_fd(ctx->guard);
	struct drop_row *rows;
	size_t n, i, j;
	time_t now = time(NULL);

	if (fd < 0 || now == ctx->drops_checked || drops_rows(fd, &rows, &n))
		return;
	ctx->drops_checked = now;
	for (i = 0; i < n; i++) {
		__u64 before = 0;

		for (j = 0; j < ctx->n_drops_seen; j++) {
			if (!strcmp(ctx->drops_seen[j].iface, rows[i].iface))
				before = ctx->drops_seen[j].packets;
		}
		if (rows[i].packets > before)
			output_confirmed_drops(rows[i].iface, rows[i].packets - before,
					       rows[i].packets, ctx->opts->common.json);
	}
	free(ctx->drops_seen);
	ctx->drops_seen = rows;
	ctx->n_drops_seen = n;
}

enum { SRC_RING, SRC_MONITOR };

static int epoll_add(int epfd, int fd, unsigned int src)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = src };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

/* Waits on the ring buffer and, when following the node, on rtnetlink;
 * both are drained as they become readable. */
static int run_loop(struct ring_buffer *rb, struct mnl_socket *mon, struct follower *f,
		    struct metrics *metrics, const struct watch_opts *o, struct watch_ctx *ctx)
{
	struct timespec start, now;
	int epfd, err = 0;

	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0 || epoll_add(epfd, ring_buffer__epoll_fd(rb), SRC_RING) ||
	    (mon && epoll_add(epfd, monitor_fd(mon), SRC_MONITOR))) {
		err = -errno;
		pr_err("cannot set up the event loop: %s", strerror(errno));
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (!stop_requested && !ctx->err) {
		struct epoll_event evs[2];
		int n = epoll_wait(epfd, evs, 2, POLL_INTERVAL_MS), i;

		if (n < 0 && errno != EINTR) {
			err = -errno;
			pr_err("waiting for events failed: %s", strerror(errno));
			break;
		}
		/* The metrics thread reads the node model too. */
		metrics_lock(metrics);
		for (i = 0; i < n; i++) {
			if (evs[i].data.u32 == SRC_RING) {
				err = ring_buffer__consume(rb);
				if (err < 0) {
					metrics_unlock(metrics);
					pr_err("reading the ring buffer failed: %s",
					       strerror(-err));
					goto out;
				}
				err = 0;
			} else if (monitor_read(mon, follow_event, f) == -ENOBUFS) {
				follow_resync(f);
			}
		}
		if (mon)
			follow_settle(f);
		report_confirmed_drops(ctx);
		metrics_unlock(metrics);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (o->duration_s && (unsigned long)(now.tv_sec - start.tv_sec) >= o->duration_s)
			break;
	}
	if (ctx->err)
		err = ctx->err;
out:
	if (epfd >= 0)
		close(epfd);
	return err;
}

/* After the hooks are gone: the samples still in the ring, what the
 * sampler folded, then the exact counters beside the alerts' counts. */
static int finish(struct guard *g, struct ring_buffer *rb, struct watch_ctx *ctx)
{
	struct mg_counters *rows = NULL;
	struct summary_row *summary = NULL;
	__u64 stats[MG_STAT_MAX];
	size_t n = 0;
	int err;

	ring_buffer__consume(rb);
	err = flows_flush(guard_map_fd(g, MG_MAP_FLOWS), on_flush, ctx);
	if (!err)
		err = counters_read(guard_map_fd(g, MG_MAP_COUNTERS), guard_counter_entries(g), &rows, &n);
	if (!err)
		err = stats_read(guard_map_fd(g, MG_MAP_STATS), stats);
	if (!err)
		err = summary_build(rows, n, ctx->node, NULL, &ctx->tally, &summary);
	if (err) {
		pr_err("cannot read the final counts: %s", strerror(-err));
	} else {
		summary_print(summary, n, stats, guard_drops_fd(g), "summary",
			      ctx->opts->common.json);
		if (stats[MG_STAT_RINGBUF_LOST])
			pr_warn("%llu samples did not fit the ring buffer; their packets are in "
				"the counts and in the alerts' count fields",
				(unsigned long long)stats[MG_STAT_RINGBUF_LOST]);
	}
	free(rows);
	free(summary);
	return err;
}

static void install_signal_handlers(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	/* No SA_RESTART: the poll returns EINTR and the loop sees the flag. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* What `mtuguard check` would say, before the first packet. */
static void print_check(const struct watch_opts *o, const struct node *node)
{
	struct check_report report;

	if (check_node(node, &o->settings.policy, &report))
		return;
	if (o->common.json) {
		struct json_object *doc =
			check_to_json(&report, node, &o->settings.policy, o->settings.mode_reason);

		output_json_line(doc);
		json_object_put(doc);
	} else {
		check_print_text(&report, node, &o->settings.policy, o->settings.mode_reason);
	}
	check_report_free(&report);
}

int cmd_watch(int argc, char **argv)
{
	struct guard_opts gopts;
	struct watch_opts o;
	struct watch_ctx ctx = {};
	struct ring_buffer *rb = NULL;
	struct mnl_socket *mon = NULL;
	struct metrics *metrics = NULL;
	struct follower follower;
	const char *uplink;
	struct node node;
	struct guard g;
	int ret, err;

	ret = parse_watch_opts(argc, argv, &o);
	if (ret >= 0)
		return ret;
	cli_apply_common(&o.common);
	install_signal_handlers();
	if (guard_check_privileges())
		return EXIT_ERROR;

	if (settings_load_config(&o.settings, &uplink) || node_discover(&node, uplink)) {
		settings_free(&o.settings);
		return EXIT_ERROR;
	}
	settings_apply(&o.settings, &node);
	ctx.opts = &o;
	ctx.settings = &o.settings;
	ctx.node = &node;
	policy_describe_path(&o.settings.policy, node.uplink.name, node_egress_mtu(&node),
			     ctx.path_detail, sizeof(ctx.path_detail));
	print_check(&o, &node);

	gopts = (struct guard_opts){
		.pin_dir = o.common.pin_dir,
		.sample_interval_ns = (__u64)o.sample_interval_ms * 1000000ULL,
		.attach_mode = o.attach_mode,
		.uplink_xdp = o.uplink_xdp,
	};
	ret = EXIT_ERROR;
	if (guard_load(&g, &gopts))
		goto out_node;
	if (guard_configure(&g, &node, &o.settings.policy) || guard_attach(&g, &node, o.uplink_xdp))
		goto out_guard;
	rb = ring_buffer__new(guard_events_fd(&g), on_sample, &ctx, NULL);
	if (!rb) {
		pr_err("cannot open the ring buffer: %s", strerror(errno));
		goto out_guard;
	}
	print_start(&ctx, &g);
	guard_drop_privileges();
	/* Starting parsed the kernel's BTF (about 11 MiB) and built the start
	 * report (a JSON object per Pod), all freed by now: hand that heap
	 * back, or it stays in the resident size of a process that runs for
	 * weeks (at 1,000 Pods, 23 MiB instead of 16). */
	malloc_trim(0);

	mon = monitor_open();
	if (!mon)
		pr_warn("cannot subscribe to rtnetlink (%s): Pods created from now on are not "
			"watched",
			strerror(errno));
	follow_init(&follower, &node, &g, &o.settings, o.common.json);
	if (o.metrics) {
		struct metrics_source src = { .node = &node,
					      .guard = &g,
					      .settings = &o.settings,
					      .follower = &follower,
					      .drops_fd = guard_drops_fd(&g) };

		metrics = metrics_start(&o.metrics_addr, o.metrics_text, &src);
		if (!metrics)
			goto out_follow;
		metrics_set_ready(metrics, true);
	}
	ctx.guard = &g;
	err = run_loop(rb, mon, &follower, metrics, &o, &ctx);
	metrics_stop(metrics);
	guard_detach(&g);
	if (!finish(&g, rb, &ctx) && !err)
		ret = EXIT_OK;
out_follow:
	monitor_close(mon);
	follow_free(&follower);
	free(ctx.drops_seen);
	ring_buffer__free(rb);
out_guard:
	if (ret != EXIT_OK)
		guard_unpin(&g);
	guard_close(&g);
out_node:
	tally_free(&ctx.tally);
	settings_free(&o.settings);
	node_free(&node);
	return ret;
}
