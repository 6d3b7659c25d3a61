// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "report/summary.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/array.h"
#include "limits/limits.h"
#include "podid/registry.h"

int tally_add(struct alert_tally *t, __u32 ifindex, __u32 hook, __u64 packets)
{
	struct tally_item *item;
	size_t i;

	for (i = 0; i < t->n; i++) {
		if (t->items[i].ifindex == ifindex && t->items[i].hook == hook) {
			t->items[i].packets += packets;
			return 0;
		}
	}
	item = ARRAY_PUSH(t->items, t->n);
	if (!item)
		return -ENOMEM;
	*item = (struct tally_item){ .ifindex = ifindex, .hook = hook, .packets = packets };
	return 0;
}

long long tally_get(const struct alert_tally *t, __u32 ifindex, __u32 hook)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		if (t->items[i].ifindex == ifindex && t->items[i].hook == hook)
			return (long long)t->items[i].packets;
	}
	return 0;
}

void tally_free(struct alert_tally *t)
{
	free(t->items);
	t->items = NULL;
	t->n = 0;
}

struct pod_label pod_label_of(const struct pod_iface *pod, const struct podid *ids)
{
	struct pod_label l = { .iface = "", .netns = "" };
	const struct pod_name *name;

	if (!pod)
		return l;
	name = podid_find(ids, pod);
	l.iface = pod->ifname;
	l.pod = name ? &name->pod : NULL;
	l.netns = pod->netns;
	l.mtu = limits_pod_mtu(pod);
	return l;
}

static void label_row(struct summary_row *row, __u32 ifindex, const struct node *node,
		      const struct podid *ids, const struct pod_table *cache)
{
	const struct pod_iface *pod;

	row->pod = pod_label_of(NULL, NULL);
	if (node) {
		pod = node_find_pod(node, (int)ifindex);
		if (pod) {
			row->pod = pod_label_of(pod, ids);
			row->gone_ms = pod->gone ? pod->gone_ms : 0;
			snprintf(row->iface, sizeof(row->iface), "%s", pod->ifname);
			return;
		}
		if ((int)ifindex == node_fabric_link(node)->ifindex) {
			snprintf(row->iface, sizeof(row->iface), "%s",
				 node_fabric_link(node)->name);
			return;
		}
	}
	if (!if_indextoname(ifindex, row->iface))
		snprintf(row->iface, sizeof(row->iface), "ifindex %u", ifindex);
	if (cache && row->hook != MG_HOOK_UPLINK_INGRESS) {
		row->pod.pod = pod_table_find(cache, row->iface);
		if (row->pod.pod)
			row->pod.iface = row->iface;
	}
}

int summary_build(const struct mg_counters *rows, size_t n, const struct node *node,
		  const struct podid *ids, const struct pod_table *cache,
		  const struct alert_tally *tally, struct summary_row **out)
{
	struct summary_row *res = calloc(n ? n : 1, sizeof(*res));
	size_t i;

	if (!res)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		res[i].hook = rows[i].id.hook;
		res[i].counts = rows[i];
		res[i].alerted = tally ? tally_get(tally, rows[i].id.ifindex, rows[i].id.hook) : -1;
		label_row(&res[i], rows[i].id.ifindex, node, ids, cache);
	}
	*out = res;
	return 0;
}

void summary_add_assist(struct summary_row *rows, size_t n, int assist_fd, int counters_fd)
{
	struct assist_row *assist = NULL;
	size_t n_assist = 0, i, k;

	if (assist_fd < 0 || assist_rows_read(assist_fd, counters_fd, &assist, &n_assist))
		return;
	for (i = 0; i < n; i++) {
		if (rows[i].hook != MG_HOOK_POD_INGRESS)
			continue;
		for (k = 0; k < n_assist; k++) {
			if (assist[k].ifindex == rows[i].counts.id.ifindex) {
				rows[i].assisted = true;
				rows[i].assist = assist[k].counts;
			}
		}
	}
	free(assist);
}

void summary_print(const struct summary_row *rows, size_t n, const __u64 *stats, int drops_fd,
		   const char *event, bool json)
{
	struct drop_row *drops = NULL;
	size_t n_drops = 0;

	if (drops_fd >= 0 && drops_rows(drops_fd, &drops, &n_drops))
		n_drops = 0;
	output_summary(&(struct summary){ .rows = rows,
					  .n = n,
					  .stats = stats,
					  .drops_counted = drops_fd >= 0,
					  .drops = drops,
					  .n_drops = n_drops },
		       event, json);
	free(drops);
}
