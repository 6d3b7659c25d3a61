/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Who owns a veth: the Pod name sources behind one registry. Sources are
 * tried in order (Antrea's OVSDB, or the CNI's, when the CNI uses Open
 * vSwitch; the container runtime's libcni cache; a static Pod map); a
 * source that is absent, dead or talks nonsense is a warning, once per
 * change, and the next is tried.
 *
 * The registry reads the sources once per tick at most: a new Pod's name
 * arrives after its veth (the CNI writes its cache entry last), so while
 * some live Pod has no name, podid_tick() reads the sources again, soon at
 * first and then less and less often per Pod, and one read serves every
 * unnamed Pod that is due. A Pod no source knows costs next to nothing.
 */
#ifndef MTUGUARD_PODID_REGISTRY_H
#define MTUGUARD_PODID_REGISTRY_H

#include <stdbool.h>

#include "podid/podid.h"

struct node;
struct pod_iface;
struct ovs_ports;
struct ovsdb_keys;

#define DEFAULT_CNI_CACHE "/var/lib/cni"

struct podid_opts {
	const char *host_root; /* the default OVSDB sockets are under it; NULL: "/" */
	const char *ovsdb;     /* NULL: try the CNI's socket, then the system one */
	const char *cni_cache;
	const char *pod_map; /* NULL: none */
};

/* A Pod's name and the source it came from ("ovsdb", "cni-cache", "pod-map"). */
struct pod_name {
	struct pod_ref pod;
	const char *source;
};

struct podid;

/* @keys: the CNI's OVSDB keys, NULL when it does not use Open vSwitch.
 * NULL when out of memory. */
struct podid *podid_new(const struct podid_opts *opts, const struct ovsdb_keys *keys);
void podid_free(struct podid *ids);
/* Reads every source and names every live Pod of @node they know; @now_ms
 * on the monotonic clock (lib/clock.h), as for podid_tick. */
void podid_load(struct podid *ids, const struct node *node, unsigned long long now_ms);
/* Names the live Pods of @node that have no name yet, reading the sources
 * again (once) when one of them is due; @now_ms on the monotonic clock. */
void podid_tick(struct podid *ids, const struct node *node, unsigned long long now_ms);
/* The Pod's name, or NULL when no source knows it (yet). */
const struct pod_name *podid_find(const struct podid *ids, const struct pod_iface *pod);
/* What OVSDB said at the last read (for a CNI that infers from its ports). */
const struct ovs_ports *podid_ovs_ports(const struct podid *ids);
/* How many times the sources were read (for the tests and the metrics). */
unsigned long podid_reads(const struct podid *ids);

#endif
