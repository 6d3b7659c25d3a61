// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The exposition: every metric family rendered from the maps and the view
 * (the HTTP side is metrics_http.c). */
#include "report/metrics.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "datapath/counters.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "report/names.h"
#include "report/summary.h"

/* Label values escape backslash, double quote and newline. */
static void put_label(FILE *out, const char *name, const char *value, bool first)
{
	const char *c;

	fprintf(out, "%s%s=\"", first ? "" : ",", name);
	for (c = value ? value : ""; *c; c++) {
		if (*c == '\\' || *c == '"')
			fputc('\\', out);
		if (*c == '\n') {
			fputs("\\n", out);
			continue;
		}
		fputc(*c, out);
	}
	fputc('"', out);
}

static void family(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void pod_labels(FILE *out, const char *iface, const struct pod_label *pod)
{
	put_label(out, "iface", iface, true);
	put_label(out, "pod_namespace", pod->pod ? pod->pod->ns : "", false);
	put_label(out, "pod_name", pod->pod ? pod->pod->name : "", false);
}

/* Two samples of @metric for one Pod, told apart by @label: @a and @b. */
static void pod_sample_pair(FILE *out, const char *metric, const struct pod_iface *p,
			    const struct pod_label *l, const char *label, const char *a,
			    unsigned int va, const char *b, unsigned int vb)
{
	fprintf(out, "%s{", metric);
	pod_labels(out, p->ifname, l);
	fprintf(out, ",%s=\"%s\"} %u\n%s{", label, a, va, metric);
	pod_labels(out, p->ifname, l);
	fprintf(out, ",%s=\"%s\"} %u\n", label, b, vb);
}

/* A deleted Pod's row, past the time its series are kept. */
static bool expired(const struct metrics_source *src, const struct summary_row *row)
{
	return row->gone_ms && monotonic_ms() - row->gone_ms >= src->keep_gone_s * 1000ULL;
}

/* What the assist did, per Pod: only where it runs (--assist, --clamp-mss). */
static void render_assist(FILE *out, const struct metrics_source *src,
			  const struct summary_row *rows, size_t n)
{
	static const char *const actions[] = { "answered", "rate_limited", "mss_clamped" };
	size_t i, a;

	if (guard_assist_counts_fd(src->guard) < 0)
		return;
	family(out, "mtuguard_assist_total", "counter",
	       "What the PMTUD assist did for a Pod: answered (oversize DF packets answered with "
	       "ICMP too-big and dropped), rate_limited (not answered: one answer per destination "
	       "per 100 ms), mss_clamped (SYNs and SYN-ACKs whose MSS it lowered).");
	for (i = 0; i < n; i++) {
		const __u64 v[] = { rows[i].assist.answered, rows[i].assist.rate_limited,
				    rows[i].assist.mss_clamped };

		if (!rows[i].assisted || expired(src, &rows[i]))
			continue;
		for (a = 0; a < sizeof(actions) / sizeof(actions[0]); a++) {
			fputs("mtuguard_assist_total{", out);
			pod_labels(out, rows[i].iface, &rows[i].pod);
			put_label(out, "action", actions[a], false);
			fprintf(out, "} %llu\n", (unsigned long long)v[a]);
		}
	}
}

/* The exact counters, per interface, hook and class. */
static int render_packets(const struct metrics_source *src, FILE *out)
{
	struct mg_counters *rows = NULL;
	struct summary_row *summary = NULL;
	size_t n = 0, i;
	int c, err;

	err = counters_read(guard_map_fd(src->guard, MG_MAP_COUNTERS),
			    guard_map_fd(src->guard, MG_MAP_FAST_COUNTS),
			    guard_counter_entries(src->guard), &rows, &n);
	if (!err)
		err = summary_build(rows, n, &src->view->node, src->view->ids, NULL, NULL,
				    &summary);
	if (err) {
		free(rows);
		return err;
	}
	family(out, "mtuguard_packets_total", "counter",
	       "Packets seen per interface, hook and class (too_big: DF or IPv6 over the limit; "
	       "too_big_fragmentable: IPv4 without DF over it; icmp_too_big: ICMP too-big "
	       "messages for a Pod; fits; skipped: not IP or truncated).");
	for (i = 0; i < n; i++) {
		if (expired(src, &summary[i]))
			continue;
		for (c = 0; c < MG_CLASS_MAX; c++) {
			fputs("mtuguard_packets_total{", out);
			pod_labels(out, summary[i].iface, &summary[i].pod);
			put_label(out, "hook", hook_name(summary[i].hook), false);
			put_label(out, "class", class_name(c), false);
			fprintf(out, "} %llu\n", (unsigned long long)summary[i].counts.packets[c]);
		}
	}
	summary_add_assist(summary, n, guard_assist_counts_fd(src->guard),
			   guard_map_fd(src->guard, MG_MAP_COUNTERS));
	render_assist(out, src, summary, n);
	family(out, "mtuguard_bytes_total", "counter",
	       "L3 bytes of the packets counted in mtuguard_packets_total.");
	for (i = 0; i < n; i++) {
		if (expired(src, &summary[i]))
			continue;
		for (c = 0; c < MG_CLASS_MAX; c++) {
			fputs("mtuguard_bytes_total{", out);
			pod_labels(out, summary[i].iface, &summary[i].pod);
			put_label(out, "hook", hook_name(summary[i].hook), false);
			put_label(out, "class", class_name(c), false);
			fprintf(out, "} %llu\n", (unsigned long long)summary[i].counts.bytes[c]);
		}
	}
	free(rows);
	free(summary);
	return 0;
}

static void render_confirmed_drops(const struct metrics_source *src, FILE *out)
{
	__u32 key, next, *prev = NULL;
	__u64 total;

	if (src->drops_fd < 0)
		return;
	family(out, "mtuguard_confirmed_drops_total", "counter",
	       "Packets the kernel dropped as too big (drop reason PKT_TOO_BIG), per device.");
	while (!bpf_map_get_next_key(src->drops_fd, prev, &next)) {
		char ifname[IF_NAMESIZE];

		key = next;
		prev = &key;
		if (drops_read(src->drops_fd, key, &total))
			continue;
		fputs("mtuguard_confirmed_drops_total{", out);
		put_label(out, "iface", if_indextoname(key, ifname) ? ifname : "", true);
		fprintf(out, "} %llu\n", (unsigned long long)total);
	}
}

static void link_mtu(FILE *out, const struct nl_link *l, const char *role)
{
	if (!l->ifindex)
		return;
	fputs("mtuguard_interface_mtu_bytes{", out);
	put_label(out, "iface", l->name, true);
	put_label(out, "role", role, false);
	fprintf(out, "} %u\n", l->mtu);
}

/* MTUs and limits as gauges: what the node looks like now. */
static void render_mtus(const struct metrics_source *src, FILE *out)
{
	const struct node *node = &src->view->node;
	const struct limits *limits = &src->view->limits;
	size_t i;

	family(out, "mtuguard_interface_mtu_bytes", "gauge",
	       "MTU of the node's uplink, its NIC when bridged, the gateway and the tunnel.");
	link_mtu(out, &node->uplink, "uplink");
	link_mtu(out, &node->uplink_nic, "uplink_nic");
	link_mtu(out, &node->gateway, "gateway");
	link_mtu(out, &node->tunnel, "tunnel");
	family(out, "mtuguard_pod_mtu_bytes", "gauge",
	       "MTU of each end of a Pod's veth (end=host or pod).");
	for (i = 0; i < node->n_pods; i++) {
		const struct pod_iface *p = &node->pods[i];
		struct pod_label l = pod_label_of(p, src->view->ids);

		if (!p->gone)
			pod_sample_pair(out, "mtuguard_pod_mtu_bytes", p, &l, "end", "host",
					p->host_mtu, "pod", p->pod_mtu);
	}
	family(out, "mtuguard_pod_limit_bytes", "gauge",
	       "Limits a Pod's packets are checked against: its own MTU (packets to it) and "
	       "the path MTU (packets it sends off the node).");
	for (i = 0; i < node->n_pods; i++) {
		const struct pod_iface *p = &node->pods[i];
		struct pod_label l = pod_label_of(p, src->view->ids);
		struct pod_limits pl = limits_for_pod(limits, p);

		if (!p->gone)
			pod_sample_pair(out, "mtuguard_pod_limit_bytes", p, &l, "limit", "pod_mtu",
					pl.to_pod, "path_mtu", pl.off_node);
	}
	family(out, "mtuguard_path_mtu_bytes", "gauge",
	       "The largest packet a Pod can send off the node.");
	fprintf(out, "mtuguard_path_mtu_bytes %u\n", limits->path_mtu);
	family(out, "mtuguard_expected_pod_mtu_bytes", "gauge", "The MTU the CNI gives new Pods.");
	fprintf(out, "mtuguard_expected_pod_mtu_bytes %u\n", limits->expected_pod_mtu);
}

static void render_health(const struct metrics_source *src, FILE *out)
{
	static const char *const stat_metrics[MG_STAT_MAX][2] = {
		[MG_STAT_SAMPLES] = { "mtuguard_ringbuf_samples_total",
				      "Samples of offending packets sent to userspace." },
		[MG_STAT_RINGBUF_LOST] = { "mtuguard_ringbuf_lost_total",
					   "Samples that did not fit the ring buffer (their "
					   "packets "
					   "are still counted and reported)." },
		[MG_STAT_NO_CONFIG] = { "mtuguard_unconfigured_packets_total",
					"Packets on a hooked interface with no configuration." },
	};
	const struct check_report *r = &src->follower->last;
	__u64 stats[MG_STAT_MAX];
	size_t i, k, live = 0;
	int s;

	if (!stats_read(guard_map_fd(src->guard, MG_MAP_STATS), stats)) {
		for (s = 0; s < MG_STAT_MAX; s++) {
			family(out, stat_metrics[s][0], "counter", stat_metrics[s][1]);
			fprintf(out, "%s %llu\n", stat_metrics[s][0], (unsigned long long)stats[s]);
		}
	}
	family(out, "mtuguard_inconsistencies", "gauge",
	       "Findings of the MTU audit now, per kind (see mtuguard check).");
	for (k = 0; k < MISMATCH_KIND_MAX; k++) {
		unsigned int count = 0;

		for (i = 0; i < r->n; i++)
			count += r->items[i].kind == k;
		fputs("mtuguard_inconsistencies{", out);
		put_label(out, "kind", mismatch_kind_name(k), true);
		fprintf(out, "} %u\n", count);
	}
	for (i = 0; i < src->view->node.n_pods; i++)
		live += !src->view->node.pods[i].gone;
	if (src->ready) {
		family(out, "mtuguard_ready", "gauge",
		       "1 once every hook is attached (as /readyz says), 0 while attaching.");
		fprintf(out, "mtuguard_ready %d\n", *src->ready ? 1 : 0);
	}
	family(out, "mtuguard_pods_watched", "gauge", "Pod veths with mtuguard attached.");
	fprintf(out, "mtuguard_pods_watched %zu\n", live);
	family(out, "mtuguard_attach_errors_total", "counter",
	       "Pod veths that appeared but could not be attached or updated.");
	fprintf(out, "mtuguard_attach_errors_total %lu\n", src->follower->attach_errors);
	family(out, "mtuguard_netlink_resyncs_total", "counter",
	       "Full re-reads of the node after rtnetlink events were lost.");
	fprintf(out, "mtuguard_netlink_resyncs_total %lu\n", src->follower->resyncs);
}

int metrics_render(const struct metrics_source *src, FILE *out)
{
	int err = render_packets(src, out);

	if (err)
		return err;
	render_confirmed_drops(src, out);
	render_mtus(src, out);
	render_health(src, out);
	return 0;
}
