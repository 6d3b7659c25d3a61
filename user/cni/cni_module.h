/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * For the authors of a CNI module: the operations cni.c calls. A module
 * fills a `const struct cni_ops` in its own file and is listed in cni.c;
 * nothing outside cni/ includes this header.
 */
#ifndef MTUGUARD_CNI_MODULE_H
#define MTUGUARD_CNI_MODULE_H

#include "cni/cni.h"

struct cni_ops {
	const char *name; /* "antrea" */
	size_t state_size;
	void (*init)(void *state);
	/* Its own command-line options (the handler gets @state as ctx),
	 * under a --help heading of its own. */
	const char *options_title;
	const struct opt_def *options;
	size_t n_options;
	opt_handler option;
	/* The plugin types of its CNI config ("calico"), and the devices that
	 * only it creates (corroboration), NULL-terminated. */
	const char *const *plugin_types;
	const char *const *signature_devices;
	/* Reads its configuration on disk; may name the uplink (*uplink
	 * untouched when it does not). Reports and returns -errno. */
	int (*load)(void *state, const struct cni_env *env, const char **uplink);
	/* Whether one of its options was given. */
	bool (*options_given)(const void *state);
	/* Decides what is not configured from what the node shows, once the
	 * node (and, where the CNI uses Open vSwitch, its ports) is read. */
	void (*resolve)(void *state, const struct node *node, const struct ovs_ports *ovs);
	/* The MTU a new Pod gets on this node, 0 when it cannot be known. */
	unsigned int (*expected_pod_mtu)(const void *state, const struct node *node);
	/* An MTU the CNI is configured to give every new Pod whatever the
	 * uplink (Antrea's defaultMTU), 0 when it derives it. */
	unsigned int (*configured_pod_mtu)(const void *state);
	/* What the encapsulation takes from the egress MTU (0: none). */
	unsigned int (*overhead)(const void *state);
	/* The smallest MTU its tunnel device may have: the largest packet
	 * it is given. NULL: a new Pod's MTU. */
	unsigned int (*tunnel_floor)(const void *state, const struct node *node);
	/* Why the overhead is what it is, for a phrase: "encap geneve". */
	void (*describe_overhead)(const void *state, char *buf, size_t size);
	/* The limit of packets to a route's prefix where the CNI's own
	 * flows decide rather than the kernel's routing (@generic: the
	 * route's mtu metric or device MTU; 0 drops the route); may rewrite
	 * @why. NULL: the kernel's word stands. */
	unsigned int (*route_mtu)(const void *state, const struct node *node,
				  const struct nl_route *r, unsigned int generic, char *why,
				  size_t size);
	/* Fills the cause and remedy of @m in the CNI's words. */
	void (*explain)(const void *state, const struct finding_ctx *ctx, struct mismatch *m);
	/* Its settings into the JSON of `check` and in one text phrase. */
	void (*to_json)(const void *state, struct json_object *o);
	void (*describe)(const void *state, char *buf, size_t size);
	void (*free)(void *state);
	const struct cni_devices *devices;
	const struct ovsdb_keys *ovsdb; /* NULL: the CNI does not use Open vSwitch */
	/* The CNI rewrites running Pods' MTUs itself (a mismatch is transient). */
	bool updates_running_pods;
};

/* The modules, one file each. */
extern const struct cni_ops cni_antrea;
extern const struct cni_ops cni_calico;
extern const struct cni_ops cni_flannel;
extern const struct cni_ops cni_kube_ovn;
extern const struct cni_ops cni_ovn_kubernetes;
extern const struct cni_ops cni_aws_vpc_cni;
extern const struct cni_ops cni_cilium;
extern const struct cni_ops cni_none;

#endif
