/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A view for the unit tests, built the way the commands build it: the CNI
 * module set by its own options (as on the command line), Pod names from a
 * Pod map file written to a temporary directory (a real name source), and
 * the limits computed by limits/.
 */
#ifndef MTUGUARD_FIXTURE_VIEW_H
#define MTUGUARD_FIXTURE_VIEW_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/options.h"
#include "limits/view.h"

/* Sets the CNI module's option --@name to @value, as the command line would. */
static inline void fixture_cni_option(struct cni *cni, const char *name, const char *value)
{
	struct opt_group g = cni_option_group(cni);
	const struct opt_def *d = options_find(&g, 1, name);

	if (!d || g.handle(g.ctx, d, value))
		fail_msg("the CNI module refused --%s %s", name, value);
}

/* Writes {"<veth>": {"namespace", "name"}} for @n Pods ({veth, ns, name})
 * to @path, replacing what was there. */
static inline void fixture_write_pod_map(const char *path, const char *const (*pods)[3], size_t n)
{
	FILE *f = fopen(path, "w");
	size_t i;

	if (!f)
		fail_msg("cannot write a Pod map at %s", path);
	fputc('{', f);
	for (i = 0; i < n; i++)
		fprintf(f, "%s\"%s\": {\"namespace\": \"%s\", \"name\": \"%s\"}", i ? ", " : "",
			pods[i][0], pods[i][1], pods[i][2]);
	fputs("}\n", f);
	fclose(f);
}

/* The same in a new temporary file; the path stays valid until the next
 * call (unlink it when done). */
static inline char *fixture_pod_map(const char *const (*pods)[3], size_t n)
{
	static char path[64];
	int fd;

	strcpy(path, "/tmp/mtuguard-unit-podmap-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		fail_msg("cannot create a Pod map");
	close(fd);
	fixture_write_pod_map(path, pods, n);
	return path;
}

/* The incident after the redeploy: bridged uplink, the OVS internal port
 * ens192 dragged down to the stale CoreDNS Pod's 1450 (its NIC ens192~ at
 * 1500), a new Pod at 1500. */
static inline void fixture_incident(struct pod_iface pods[2], struct node *node)
{
	memset(pods, 0, 2 * sizeof(pods[0]));
	pods[0] = (struct pod_iface){
		.ifindex = 10, .ifname = "coredns--e5a5a3", .host_mtu = 1450, .pod_mtu = 1450
	};
	pods[1] = (struct pod_iface){
		.ifindex = 11, .ifname = "web-7d9f-c71b85", .host_mtu = 1500, .pod_mtu = 1500
	};
	*node = (struct node){
		.uplink = { .ifindex = 3, .name = "ens192", .mtu = 1450 },
		.uplink_nic = { .ifindex = 2, .name = "ens192~", .mtu = 1500 },
		.pods = pods,
		.n_pods = 2,
	};
}

/* The view of @node with the CNI module @cni (taken over) and the Pods of
 * @map named. */
static inline void fixture_view(struct view *v, const struct node *node, struct cni *cni,
				const char *map)
{
	struct podid_opts opts = { .cni_cache = "/nonexistent", .pod_map = map };

	memset(v, 0, sizeof(*v));
	v->node = *node;
	v->cni = cni;
	v->ids = podid_new(&opts, NULL);
	if (!v->ids)
		fail_msg("out of memory");
	podid_load(v->ids, &v->node, monotonic_ms());
	view_recompute(v);
}

/* Frees what fixture_view made (the node is the test's). */
static inline void fixture_view_free(struct view *v)
{
	limits_free(&v->limits);
	podid_free(v->ids);
	cni_free(v->cni);
	memset(v, 0, sizeof(*v));
}

#endif
