/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The settings `watch` and `check` share: the traffic mode and tunnel (from
 * antrea-agent.conf, flags, or inferred from the node), the uplink, and the
 * Pod name sources (OVSDB, CNI cache, a static map). One parser for their
 * options, one loader with warnings and fallbacks, one place that decides.
 */
#ifndef MTUGUARD_SETTINGS_H
#define MTUGUARD_SETTINGS_H

#include <getopt.h>
#include <stdbool.h>
#include <time.h>

#include "cni/antrea_config.h"
#include "node/node.h"
#include "podid/ovsdb.h"
#include "podid/podid.h"
#include "cni/antrea_mtu.h"

#define DEFAULT_CNI_CACHE "/var/lib/cni"

enum settings_opt {
	OPT_UPLINK = 300,
	OPT_MODE,
	OPT_TUNNEL,
	OPT_ENCRYPTION,
	OPT_DEFAULT_MTU,
	OPT_ANTREA_CONFIG,
	OPT_OVSDB,
	OPT_CNI_CACHE,
	OPT_POD_MAP,
	OPT_PATH_MTU,
};

#define SETTINGS_LONG_OPTS                                                                         \
	{ "uplink", required_argument, NULL, OPT_UPLINK },                                         \
		{ "mode", required_argument, NULL, OPT_MODE },                                     \
		{ "tunnel", required_argument, NULL, OPT_TUNNEL },                                 \
		{ "encryption", required_argument, NULL, OPT_ENCRYPTION },                         \
		{ "default-mtu", required_argument, NULL, OPT_DEFAULT_MTU },                       \
		{ "antrea-config", required_argument, NULL, OPT_ANTREA_CONFIG },                   \
		{ "ovsdb", required_argument, NULL, OPT_OVSDB },                                   \
		{ "cni-cache", required_argument, NULL, OPT_CNI_CACHE },                           \
		{ "pod-map", required_argument, NULL, OPT_POD_MAP },                               \
	{                                                                                          \
		"path-mtu", required_argument, NULL, OPT_PATH_MTU                                  \
	}

/* The --help lines for these options, shared by watch and check. */
extern const char settings_help[];

struct settings {
	/* as given */
	const char *uplink;
	const char *antrea_config;
	const char *ovsdb; /* NULL: try Antrea's socket, then the system one */
	const char *cni_cache;
	const char *pod_map;
	bool mode_set, tunnel_set, encryption_set, default_mtu_set;
	struct policy flags; /* the values of the flags that were set */

	/* decided by settings_load */
	struct antrea_config config;
	struct policy policy;
	char mode_reason[160]; /* why this mode: "--mode", "antrea-agent.conf", "inferred: ..." */
	struct ovs_ports ovs;
	struct pod_table cni;
	struct pod_table map;
	struct pod_sources sources;
	int ovsdb_err; /* the last read's error, to warn once per change */
};

void settings_init(struct settings *s);
/* Handles one of SETTINGS_LONG_OPTS. Returns 1 when handled, 0 when @opt is
 * not one of them, -1 on a bad value (reported). */
int settings_option(struct settings *s, int opt, const char *arg);
/* Reads the Antrea config; the uplink to use (flag, transportInterface, or
 * NULL for the default route). Reports and returns -errno on error. */
int settings_load_config(struct settings *s, const char **uplink);
/* Loads the Pod name sources (warnings and fallbacks, never fatal), names
 * the node's Pods and decides the policy (flags over config over what the
 * node shows). */
void settings_apply(struct settings *s, struct node *node);
/* Names a Pod that appeared after the start, re-reading the sources when
 * they do not know it yet (with a backoff per Pod). */
void settings_name_pod(struct settings *s, struct pod_iface *pod);
void settings_free(struct settings *s);

#endif
