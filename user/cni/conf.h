/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The CNI configuration directory read as the container runtime reads it
 * (containerd and CRI-O, CNI.md "Which CNI runs here"): the lexicographically
 * first *.conf, *.conflist or *.json is the network; a Multus config
 * ("type": "multus" or "multus-shim") delegates to its clusterNetwork, a
 * path as seen in the Multus container (/host stripped) or a network name.
 * What does not parse is one warning naming the file, and nothing is
 * guessed from it.
 */
#ifndef MTUGUARD_CNI_CONF_H
#define MTUGUARD_CNI_CONF_H

#include <limits.h>
#include <stdbool.h>

#include <json-c/json.h>

#define CNI_CONF_DIR "/etc/cni/net.d"

struct cni_conf {
	char path[PATH_MAX]; /* the network config in use, "" when there is none */
	char via[PATH_MAX];  /* the Multus config that pointed to it, "" when none */
	char type[64];	     /* its first plugin's type, "" when unknown */
	struct json_object *root;
};

/* Reads @dir (already under the host root); @host_root maps Multus's
 * paths. Always fills @out (path "" when nothing usable was found). */
void cni_conf_read(const char *dir, const char *host_root, struct cni_conf *out);
/* The plugin entry of @type (a conflist's plugins[], or the conf itself),
 * or NULL. */
struct json_object *cni_conf_plugin(const struct cni_conf *c, const char *type);
/* Whether the config has a plugin of @type anywhere in its chain. */
bool cni_conf_has(const struct cni_conf *c, const char *type);
void cni_conf_free(struct cni_conf *c);

#endif
