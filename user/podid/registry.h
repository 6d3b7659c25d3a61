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
 *
 * A read runs on the registry's own thread: an OVSDB that hangs (up to
 * its 2 s timeout) or 20,000 cache files never hold the event loop. A tick
 * asks for a read and returns; a later tick takes what was read (the loop
 * polls podid_fd() to wake for it) and names the Pods from it.
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
 * NULL when out of memory or threads (errno says which). */
struct podid *podid_new(const struct podid_opts *opts, const struct ovsdb_keys *keys);
void podid_free(struct podid *ids);
/* Reads every source, waiting for it, and names every live Pod of @node
 * they know; @now_ms on the monotonic clock (lib/clock.h), as for
 * podid_tick. For the start, before anything is attached. */
void podid_load(struct podid *ids, const struct node *node, unsigned long long now_ms);
/* Names the live Pods of @node that have no name yet from the last read
 * that came back, and asks for a new read when one of them is due and no
 * read is in flight; never waits for one. @now_ms on the monotonic clock. */
void podid_tick(struct podid *ids, const struct node *node, unsigned long long now_ms);
/* Waits for the read in flight, if any (the next tick takes it). */
void podid_wait(struct podid *ids);
/* True from the moment a read is asked for until a tick has taken it. */
bool podid_reading(struct podid *ids);
/* Readable when a read has come back: the event loop wakes for it. */
int podid_fd(const struct podid *ids);
/* When the next tick has a read to ask for (an unnamed Pod's retry), on
 * the monotonic clock; ULLONG_MAX when none: the loop wakes for it. */
unsigned long long podid_next_due_ms(struct podid *ids);
/* The Pod's name, or NULL when no source knows it (yet). */
const struct pod_name *podid_find(const struct podid *ids, const struct pod_iface *pod);
/* What OVSDB said at the last read (for a CNI that infers from its ports). */
const struct ovs_ports *podid_ovs_ports(const struct podid *ids);
/* How many reads of the sources were asked for (tests and metrics). */
unsigned long podid_reads(const struct podid *ids);

#endif
