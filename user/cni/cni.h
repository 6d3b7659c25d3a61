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

/* The most tunnel devices a CNI names (the first present one counts). */
#define CNI_MAX_TUNNELS 4

/* The names of the devices a CNI creates, for the node model's roles. */
struct cni_devices {
	const char *gateway; /* the host's gateway to the Pods (at the Pod MTU), NULL: none */
	/* the tunnel devices, the most constraining first, NULL-terminated */
	const char *tunnels[CNI_MAX_TUNNELS + 1];
	const char *bridged_nic_suffix; /* the NIC "<uplink><suffix>" under a bridge port
					 * that took the uplink's name, NULL: never */
	bool pod_route_mtu;		/* Pods' default routes carry the MTU they send with */
};

struct cni_conf;

/* What a module reads its settings from. */
struct cni_env {
	const char *host_root;	     /* "/" on the node itself */
	const struct cni_conf *conf; /* the CNI config in use (conf.h) */
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

/* The module named @name ("antrea", "calico", ..., "none"), or NULL
 * (reported) when there is none by that name. */
struct cni *cni_new(const char *name);
void cni_free(struct cni *cni);
const char *cni_name(const struct cni *cni);
/* Why this module was chosen, one phrase: "--cni", "/etc/cni/net.d/10-calico.conflist
 * (type calico; vxlan.calico present)", "device cilium_host". */
const char *cni_source(const struct cni *cni);
void cni_set_source(struct cni *cni, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The names --cni takes, "|"-separated, for messages and --help. */
const char *cni_names(void);

/* One of every module, so that each one's options can be parsed before the
 * choice (an Antrea setting on the command line selects Antrea): fills
 * @all and returns how many, 0 when out of memory (reported). */
#define CNI_MODULES_MAX 8
size_t cni_new_all(struct cni *all[CNI_MODULES_MAX]);
/* Takes the module @name out of @all (NULL where it was), or NULL. */
struct cni *cni_take(struct cni *all[CNI_MODULES_MAX], size_t n, const char *name);
/* Whether @name is a module's (or "auto"). */
bool cni_known(const char *name);

/* The CNI module's options as a group for options_parse(); .n is 0 for a
 * module that has none. */
struct opt_group cni_option_group(struct cni *cni);
/* Whether any of its options was given (under --cni auto, that selects it). */
bool cni_options_given(const struct cni *cni);

/*
 * Which CNI runs here, as the runtime would say (@conf: the first config
 * of the conf dir, Multus followed), corroborated by the CNI's devices
 * (@links, @n_links: the node's interface names): the module whose plugin
 * type the config names, else the one whose device is present, else
 * "none". Its name into @name, why into @why.
 */
void cni_detect(const struct cni_conf *conf, const char *const *links, size_t n_links, char *name,
		size_t name_size, char *why, size_t why_size);
/* Reads the module's settings on disk (@env); may name the uplink. Reports
 * and returns -errno on what cannot go on (a file named by a flag); a
 * node file that is absent or bad is a warning and a fallback. */
int cni_load(struct cni *cni, const struct cni_env *env, const char **uplink);
void cni_resolve(struct cni *cni, const struct node *node, const struct ovs_ports *ovs);
unsigned int cni_expected_pod_mtu(const struct cni *cni, const struct node *node);
unsigned int cni_configured_pod_mtu(const struct cni *cni);
unsigned int cni_overhead(const struct cni *cni);
/* The smallest MTU the CNI's tunnel device may have (cni_module.h). */
unsigned int cni_tunnel_floor(const struct cni *cni, const struct node *node);
struct nl_route;
/* The limit of a route's prefix, as the CNI sees it (see cni_module.h). */
unsigned int cni_route_mtu(const struct cni *cni, const struct node *node, const struct nl_route *r,
			   unsigned int generic, char *why, size_t size);
void cni_describe_overhead(const struct cni *cni, char *buf, size_t size);
void cni_explain(const struct cni *cni, const struct finding_ctx *ctx, struct mismatch *m);
void cni_to_json(const struct cni *cni, struct json_object *o);
void cni_describe(const struct cni *cni, char *buf, size_t size);
const struct cni_devices *cni_devices(const struct cni *cni);
const struct ovsdb_keys *cni_ovsdb_keys(const struct cni *cni);
bool cni_updates_running_pods(const struct cni *cni);

#endif
