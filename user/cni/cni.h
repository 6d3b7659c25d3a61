/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the CNI intends, behind one interface. Generic code (the limits, the
 * audit, the watch, the output) asks the CNI module and never names a CNI:
 * which devices have which role, what MTU a new Pod gets, what the path's
 * overhead is, whether the CNI updates running Pods itself, and how a
 * finding is explained and remedied in the CNI's own words. What is true
 * comes from the kernel (node/); what is intended comes from here.
 *
 * A module is a `struct cni_ops` (cni_module.h) in its own file (antrea.c
 * is the first); cni.c holds the list of modules and the calls through
 * them. The CNI's state (its config on disk, its flags, what it inferred)
 * stays in the module's file; `struct cni` is opaque.
 */
#ifndef MTUGUARD_CNI_H
#define MTUGUARD_CNI_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "lib/options.h"

struct node;
struct ovs_ports;
struct mismatch;
struct limits;

/* The names of the devices a CNI creates, for the node model's roles. */
struct cni_devices {
	const char *gateway;		/* the host's gateway to the Pods, NULL: none */
	const char *tunnel;		/* the tunnel device, NULL: none */
	const char *bridged_nic_suffix; /* the NIC "<uplink><suffix>" under a bridge port
					 * that took the uplink's name, NULL: never */
};

/* Where a CNI's Open vSwitch database is, and the external_ids keys it
 * writes on its ports. */
struct ovsdb_keys {
	const char *socket;	   /* its own OVSDB socket, tried before the system's */
	const char *role;	   /* what the port is: "container", "tunnel", ... */
	const char *pod_namespace; /* the Pod's namespace and name, on Pod ports */
	const char *pod_name;
};

/* What the audit knows when it asks the CNI to explain one finding. */
struct finding_ctx {
	const struct node *node;
	const struct limits *limits;
	const char *who;	       /* the Pod as a phrase: "kube-system/coredns-7c6" */
	unsigned int smallest_pod_mtu; /* the smallest MTU of a live Pod, 0: none */
};

struct cni;

/* The module named @name ("antrea"; "auto" picks the one that fits), or
 * NULL (reported) when there is none by that name. */
struct cni *cni_new(const char *name);
void cni_free(struct cni *cni);
const char *cni_name(const struct cni *cni);
/* Where the choice came from ("default", "--cni"), for the output. */
const char *cni_source(const struct cni *cni);

/* The CNI module's options as a group for options_parse(). */
struct opt_group cni_option_group(struct cni *cni);

int cni_load(struct cni *cni, const char **uplink);
void cni_resolve(struct cni *cni, const struct node *node, const struct ovs_ports *ovs);
unsigned int cni_expected_pod_mtu(const struct cni *cni, const struct node *node);
unsigned int cni_configured_pod_mtu(const struct cni *cni);
unsigned int cni_overhead(const struct cni *cni);
void cni_describe_overhead(const struct cni *cni, char *buf, size_t size);
void cni_explain(const struct cni *cni, const struct finding_ctx *ctx, struct mismatch *m);
void cni_to_json(const struct cni *cni, struct json_object *o);
void cni_describe(const struct cni *cni, char *buf, size_t size);
const struct cni_devices *cni_devices(const struct cni *cni);
const struct ovsdb_keys *cni_ovsdb_keys(const struct cni *cni);
bool cni_updates_running_pods(const struct cni *cni);

#endif
