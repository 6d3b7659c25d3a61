// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "report/output.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "report/json.h"
#include "report/names.h"

void output_text_time(char *buf, size_t size)
{
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(buf, size, "%H:%M:%S", &tm);
}

/* "kube-system/coredns-7c6", or what stands in for an unnamed Pod. */
static void pod_to_text(const struct pod_label *p, char *buf, size_t size)
{
	if (p->pod)
		snprintf(buf, size, "Pod %s/%s", p->pod->ns, p->pod->name);
	else if (p->netns && *p->netns)
		snprintf(buf, size, "unnamed Pod in netns %s", p->netns);
	else
		snprintf(buf, size, "no Pod");
}

static bool has_ports(const struct mg_event *ev)
{
	return ev->flow.proto == IPPROTO_TCP || ev->flow.proto == IPPROTO_UDP;
}

static bool is_icmp(const struct mg_event *ev)
{
	return ev->flow.proto == IPPROTO_ICMP || ev->flow.proto == IPPROTO_ICMPV6;
}

#define ADD(obj, key, val) json_object_object_add(obj, key, val)

struct json_object *alert_to_json(const struct alert *a)
{
	const struct mg_event *ev = a->ev;
	struct json_object *o = json_event_at(class_name(ev->flow.class), &a->when);
	char buf[64];

	ADD(o, "hook", json_object_new_string(hook_name(ev->flow.hook)));
	ADD(o, "iface", json_object_new_string(a->iface));
	ADD(o, "pod", json_pod(a->pod.pod));
	ADD(o, "pod_iface", json_object_new_string(a->pod.iface));
	ADD(o, "pod_netns", json_object_new_string(a->pod.netns));
	ADD(o, "pod_mtu", json_object_new_int((int)a->pod.mtu));
	ADD(o, "family", json_object_new_string(family_name(ev->flow.saddr.family)));
	ADD(o, "proto", json_object_new_string(proto_name(ev->flow.proto)));
	ADD(o, "src", json_object_new_string(addr_str(&ev->flow.saddr, buf, sizeof(buf))));
	ADD(o, "dst", json_object_new_string(addr_str(&ev->flow.daddr, buf, sizeof(buf))));
	if (has_ports(ev)) {
		ADD(o, "sport", json_object_new_int(ev->flow.sport));
		ADD(o, "dport", json_object_new_int(ev->flow.dport));
	} else if (is_icmp(ev)) {
		ADD(o, "icmp_type", json_object_new_int(ev->flow.sport));
		ADD(o, "icmp_code", json_object_new_int(ev->flow.dport));
	}
	ADD(o, "len", json_object_new_int((int)ev->len));
	ADD(o, "limit", json_object_new_int((int)ev->limit));
	ADD(o, "limit_source", json_object_new_string(limit_source_name(ev->limit_source)));
	ADD(o, "limit_detail", json_object_new_string(a->limit_detail));
	ADD(o, "df", json_object_new_boolean(!!(ev->flags & MG_EVENT_F_DF)));
	ADD(o, "gso", json_object_new_boolean(!!(ev->flags & MG_EVENT_F_GSO)));
	ADD(o, "gso_size", json_object_new_int((int)ev->gso_size));
	if (ev->flow.class == MG_CLASS_ICMP_TOO_BIG)
		ADD(o, "icmp_mtu", json_object_new_int((int)ev->icmp_mtu));
	ADD(o, "count", json_object_new_int64(ev->count));
	ADD(o, "flush", json_object_new_boolean(a->flush));
	if (a->assisted)
		ADD(o, "assisted", json_object_new_boolean(true));
	return o;
}

static void endpoint(const struct mg_event *ev, const struct mg_addr *addr, __u16 port, char *buf,
		     size_t size)
{
	char ip[64];

	addr_str(addr, ip, sizeof(ip));
	if (!has_ports(ev))
		snprintf(buf, size, "%s", ip);
	else if (addr->family == AF_INET6)
		snprintf(buf, size, "[%s]:%u", ip, port);
	else
		snprintf(buf, size, "%s:%u", ip, port);
}

void alert_to_text(const struct alert *a, char *buf, size_t size)
{
	const struct mg_event *ev = a->ev;
	char when[16], who[POD_NS_MAX + POD_NAME_MAX + 300], src[80], dst[80], what[64];
	struct tm tm;

	localtime_r(&a->when.tv_sec, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	pod_to_text(&a->pod, who, sizeof(who));
	endpoint(ev, &ev->flow.saddr, ev->flow.sport, src, sizeof(src));
	endpoint(ev, &ev->flow.daddr, ev->flow.dport, dst, sizeof(dst));

	if (ev->flow.class == MG_CLASS_ICMP_TOO_BIG) {
		snprintf(buf, size,
			 "%s %s %s (veth %s, MTU %u) receives %s too-big from %s announcing MTU "
			 "%u, seen at %s on %s: %u packet%s%s",
			 when, class_name(ev->flow.class), who, a->pod.iface, a->pod.mtu,
			 proto_name(ev->flow.proto), src, ev->icmp_mtu, hook_name(ev->flow.hook),
			 a->iface, ev->count, ev->count == 1 ? "" : "s",
			 a->flush ? " (flushed at exit)" : "");
		return;
	}
	snprintf(what, sizeof(what), "%u-byte %s%s%s %s", ev->len,
		 (ev->flags & MG_EVENT_F_DF) ? "DF " : "",
		 (ev->flags & MG_EVENT_F_GSO) ? "GSO-segment " : "",
		 family_name(ev->flow.saddr.family), proto_name(ev->flow.proto));
	snprintf(buf, size,
		 "%s %s %s (veth %s, MTU %u) %s %s %s -> %s, over the limit %u (%s), seen at %s on "
		 "%s: %u packet%s%s%s",
		 when, class_name(ev->flow.class), who, a->pod.iface, a->pod.mtu,
		 ev->flow.hook == MG_HOOK_POD_INGRESS ? "sends" : "is sent", what, src, dst,
		 ev->limit, a->limit_detail, hook_name(ev->flow.hook), a->iface, ev->count,
		 ev->count == 1 ? "" : "s", a->flush ? " (flushed at exit)" : "",
		 a->assisted ? "; the assist answers such packets with ICMP too-big" : "");
}

void output_alert(const struct alert *a, bool json)
{
	char line[1024];

	if (json) {
		json_print_line(alert_to_json(a));
		return;
	}
	alert_to_text(a, line, sizeof(line));
	puts(line);
	fflush(stdout);
}

static const char *const stat_keys[MG_STAT_MAX] = {
	[MG_STAT_SAMPLES] = "samples",
	[MG_STAT_RINGBUF_LOST] = "ringbuf_lost",
	[MG_STAT_NO_CONFIG] = "unconfigured_packets",
};

struct json_object *summary_to_json(const struct summary *sum, const char *event)
{
	const struct summary_row *rows = sum->rows;
	size_t n = sum->n;
	struct json_object *o = json_event(event);
	struct json_object *list = json_object_new_array();
	size_t i;
	int c, s;

	for (i = 0; i < n; i++) {
		const struct summary_row *r = &rows[i];
		struct json_object *row = json_object_new_object();
		struct json_object *packets = json_object_new_object();
		struct json_object *bytes = json_object_new_object();

		ADD(row, "iface", json_object_new_string(r->iface));
		ADD(row, "hook", json_object_new_string(hook_name(r->hook)));
		ADD(row, "pod", json_pod(r->pod.pod));
		ADD(row, "pod_netns", json_object_new_string(r->pod.netns));
		for (c = 0; c < MG_CLASS_MAX; c++) {
			ADD(packets, class_name(c),
			    json_object_new_int64((int64_t)r->counts.packets[c]));
			ADD(bytes, class_name(c),
			    json_object_new_int64((int64_t)r->counts.bytes[c]));
		}
		ADD(row, "packets", packets);
		ADD(row, "bytes", bytes);
		if (r->alerted >= 0)
			ADD(row, "alerted", json_object_new_int64(r->alerted));
		if (r->assisted) {
			struct json_object *a = json_object_new_object();

			ADD(a, "answered", json_object_new_int64((int64_t)r->assist.answered));
			ADD(a, "rate_limited",
			    json_object_new_int64((int64_t)r->assist.rate_limited));
			ADD(a, "mss_clamped",
			    json_object_new_int64((int64_t)r->assist.mss_clamped));
			ADD(row, "assist", a);
		}
		json_object_array_add(list, row);
	}
	ADD(o, "interfaces", list);
	for (s = 0; s < MG_STAT_MAX; s++)
		ADD(o, stat_keys[s], json_object_new_int64((int64_t)sum->stats[s]));
	list = sum->drops_counted ? json_object_new_array() : NULL;
	for (i = 0; i < sum->n_drops; i++) {
		struct json_object *d = json_object_new_object();

		ADD(d, "iface", json_object_new_string(sum->drops[i].iface));
		ADD(d, "packets", json_object_new_int64((int64_t)sum->drops[i].packets));
		json_object_array_add(list, d);
	}
	ADD(o, "confirmed_drops", list);
	return o;
}

void output_summary(const struct summary *sum, const char *event, bool json)
{
	const struct summary_row *rows = sum->rows;
	size_t i, n = sum->n;
	int s;

	if (json) {
		json_print_line(summary_to_json(sum, event));
		return;
	}
	printf("%s: packets per interface and hook (too_big: DF/IPv6 over the limit, lost; "
	       "fragmentable: IPv4 without DF over it)\n",
	       event);
	printf("  %-16s %-15s %-34s %8s %12s %12s %10s %8s %8s\n", "IFACE", "HOOK", "POD",
	       "TOO_BIG", "FRAGMENTABLE", "ICMP_TOO_BIG", "FITS", "SKIPPED", "ALERTED");
	for (i = 0; i < n; i++) {
		const struct summary_row *r = &rows[i];
		char who[POD_NS_MAX + POD_NAME_MAX + 300];
		char alerted[24] = "-";

		if (r->pod.pod)
			snprintf(who, sizeof(who), "%s/%s", r->pod.pod->ns, r->pod.pod->name);
		else
			snprintf(who, sizeof(who), "%s", *r->pod.netns ? r->pod.netns : "-");
		if (r->alerted >= 0)
			snprintf(alerted, sizeof(alerted), "%lld", r->alerted);
		printf("  %-16s %-15s %-34s %8llu %12llu %12llu %10llu %8llu %8s\n", r->iface,
		       hook_name(r->hook), who,
		       (unsigned long long)r->counts.packets[MG_CLASS_TOO_BIG],
		       (unsigned long long)r->counts.packets[MG_CLASS_TOO_BIG_FRAGMENTABLE],
		       (unsigned long long)r->counts.packets[MG_CLASS_ICMP_TOO_BIG],
		       (unsigned long long)r->counts.packets[MG_CLASS_FITS],
		       (unsigned long long)r->counts.packets[MG_CLASS_SKIPPED], alerted);
	}
	for (i = 0; i < n; i++) {
		if (rows[i].assisted)
			printf("  assist on %s: %llu answered with ICMP too-big, %llu "
			       "rate-limited, "
			       "%llu MSS clamped\n",
			       rows[i].iface, (unsigned long long)rows[i].assist.answered,
			       (unsigned long long)rows[i].assist.rate_limited,
			       (unsigned long long)rows[i].assist.mss_clamped);
	}
	printf(" ");
	for (s = 0; s < MG_STAT_MAX; s++)
		printf(" %s %llu", stat_keys[s], (unsigned long long)sum->stats[s]);
	printf("\n");
	if (!sum->drops_counted)
		printf("  confirmed drops: not counted (this kernel has no PKT_TOO_BIG drop "
		       "reason)\n");
	else if (!sum->n_drops)
		printf("  confirmed drops (kernel drop reason PKT_TOO_BIG): none\n");
	for (i = 0; i < sum->n_drops; i++)
		printf("  confirmed drops on %s (kernel drop reason PKT_TOO_BIG): %llu\n",
		       sum->drops[i].iface, (unsigned long long)sum->drops[i].packets);
	fflush(stdout);
}

void output_confirmed_drops(const char *iface, __u64 delta, __u64 total, bool json)
{
	char when[16];

	if (json) {
		struct json_object *o = json_event("confirmed_drops");

		ADD(o, "iface", json_object_new_string(iface));
		ADD(o, "count", json_object_new_int64((int64_t)delta));
		ADD(o, "total", json_object_new_int64((int64_t)total));
		ADD(o, "reason", json_object_new_string("PKT_TOO_BIG"));
		json_print_line(o);
		return;
	}
	output_text_time(when, sizeof(when));
	printf("%s confirmed_drops the kernel dropped %llu packet%s as too big on %s (%llu so "
	       "far)\n",
	       when, (unsigned long long)delta, delta == 1 ? "" : "s", iface,
	       (unsigned long long)total);
	fflush(stdout);
}
