/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A minimal OVSDB client (RFC 7047 JSON-RPC over the unix socket, json-c):
 * one "transact" that selects the Port and Interface tables, and what
 * mtuguard needs from them per port: the CNI's external_ids (the keys are
 * the CNI module's: the port's role, the Pod's namespace and name), the
 * interface type, its MTU and mtu_request. ovs-vsctl is not a dependency.
 */
#ifndef MTUGUARD_OVSDB_H
#define MTUGUARD_OVSDB_H

#include <stddef.h>

#include "cni/cni.h"
#include "podid/podid.h"

#define OVSDB_SYSTEM_SOCK "/var/run/openvswitch/db.sock"

struct ovs_port {
	char name[64];
	char iface_type[16]; /* Interface.type: "" (system), "internal", "geneve", ... */
	char role[16];	     /* the CNI's role key (Antrea: antrea-type), "" when absent */
	struct pod_ref pod;  /* pod.ns/pod.name "" when not a Pod's port */
	int mtu;	     /* Interface.mtu, 0 when unknown */
	int mtu_request;     /* Interface.mtu_request, 0 when not set */
};

struct ovs_ports {
	struct ovs_port *ports;
	size_t n;
	char socket[256]; /* the socket they came from */
};

/* Reads every port from the OVSDB at @socket_path, waiting at most
 * @timeout_ms for the answer (and giving up with -ECANCELED as soon as
 * @cancel_fd, when not -1, is readable), with the CNI's @keys. Returns
 * -errno; does not report. */
int ovsdb_read_ports(const char *socket_path, int timeout_ms, int cancel_fd,
		     const struct ovsdb_keys *keys, struct ovs_ports *out);
/* Sets Interface @iface's mtu_request to @mtu (0: clears it, so that OVS
 * picks the MTU again); -ENODEV when no interface has that name, -EBADMSG
 * when OVSDB refuses, -errno when it cannot be reached. */
int ovsdb_set_mtu_request(const char *socket_path, int timeout_ms, const char *iface,
			  unsigned int mtu);
/* Parses a transact reply (for the unit tests and ovsdb_read_ports). */
int ovsdb_parse_ports_reply(const char *json, const struct ovsdb_keys *keys, struct ovs_ports *out);
const struct ovs_port *ovs_find_port(const struct ovs_ports *ports, const char *name);
/* The first port whose role is @role ("tunnel"). */
const struct ovs_port *ovs_find_by_role(const struct ovs_ports *ports, const char *role);
void ovs_ports_free(struct ovs_ports *ports);

#endif
