// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "cmd/node_opts.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/cli.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "podid/ovsdb.h"

enum { OPT_UPLINK, OPT_PATH_MTU };

static const struct opt_def node_defs[] = {
	[OPT_UPLINK] = { "uplink", 0, "IFACE",
			 "the uplink (default: the CNI's transport interface, else the\n"
			 "default route's interface); on a bridged node the bridge's\n"
			 "internal port, whose NIC the CNI names (Antrea: IFACE~)" },
	[OPT_PATH_MTU] = { "path-mtu", 0, "N",
			   "the path MTU of Pod traffic leaving the node, overriding\n"
			   "what the uplink and the CNI imply" },
};

enum { OPT_OVSDB, OPT_CNI_CACHE, OPT_POD_MAP };

static const struct opt_def podid_defs[] = {
	[OPT_OVSDB] = { "ovsdb", 0, "SOCKET",
			"the CNI's OVSDB (default: the CNI's own socket, then\n" OVSDB_SYSTEM_SOCK
			")" },
	[OPT_CNI_CACHE] = { "cni-cache", 0, "DIR",
			    "the runtime's libcni cache (default " DEFAULT_CNI_CACHE ")" },
	[OPT_POD_MAP] = { "pod-map", 0, "FILE",
			  "JSON {\"<veth>\": {\"namespace\": \"..\", \"name\": \"..\"}}" },
};

static int node_option(void *ctx, const struct opt_def *opt, const char *arg)
{
	struct node_opts *o = ctx;
	unsigned long v;

	switch (opt - node_defs) {
	case OPT_UPLINK:
		o->uplink = arg;
		return 0;
	case OPT_PATH_MTU:
		/* 68: the smallest MTU IPv4 allows; 65535: an IP length's limit */
		if (!cli_parse_uint("--path-mtu", arg, 68, 65535, &v))
			return -1;
		o->path_mtu_override = (unsigned int)v;
		return 0;
	}
	return -1;
}

static int podid_option(void *ctx, const struct opt_def *opt, const char *arg)
{
	struct node_opts *o = ctx;

	switch (opt - podid_defs) {
	case OPT_OVSDB:
		o->podid.ovsdb = arg;
		return 0;
	case OPT_CNI_CACHE:
		o->podid.cni_cache = arg;
		return 0;
	case OPT_POD_MAP:
		o->podid.pod_map = arg;
		return 0;
	}
	return -1;
}

int node_opts_init(struct node_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->podid.cni_cache = DEFAULT_CNI_CACHE;
	o->cni = cni_new("auto");
	if (!o->cni) {
		pr_err("out of memory");
		return -ENOMEM;
	}
	return 0;
}

void node_opts_groups(struct node_opts *o, struct opt_group groups[NODE_OPT_GROUPS])
{
	groups[0] = (struct opt_group){ .title = "Node settings",
					.defs = OPT_DEFS(node_defs),
					.handle = node_option,
					.ctx = o };
	groups[1] = cni_option_group(o->cni);
	groups[2] =
		(struct opt_group){ .title = "Pod names, from the first source that knows the veth",
				    .defs = OPT_DEFS(podid_defs),
				    .handle = podid_option,
				    .ctx = o };
}

static void roles_from_cni(const struct cni *cni, struct node_roles *roles)
{
	const struct cni_devices *d = cni_devices(cni);

	memset(roles, 0, sizeof(*roles));
	if (!d)
		return;
	snprintf(roles->gateway, sizeof(roles->gateway), "%s", d->gateway ? d->gateway : "");
	snprintf(roles->tunnel, sizeof(roles->tunnel), "%s", d->tunnel ? d->tunnel : "");
	snprintf(roles->bridged_nic_suffix, sizeof(roles->bridged_nic_suffix), "%s",
		 d->bridged_nic_suffix ? d->bridged_nic_suffix : "");
}

int node_opts_view(struct node_opts *o, struct view *v)
{
	const char *uplink = o->uplink;
	struct node_roles roles;
	int err;

	memset(v, 0, sizeof(*v));
	err = cni_load(o->cni, &uplink);
	if (err)
		return err;
	roles_from_cni(o->cni, &roles);
	err = node_discover(&v->node, uplink, &roles);
	if (err)
		return err;
	v->ids = podid_new(&o->podid, cni_ovsdb_keys(o->cni));
	if (!v->ids) {
		pr_err("out of memory");
		node_free(&v->node);
		return -ENOMEM;
	}
	podid_load(v->ids, &v->node, monotonic_ms());
	cni_resolve(o->cni, &v->node, podid_ovs_ports(v->ids));
	v->cni = o->cni;
	o->cni = NULL;
	v->path_mtu_override = o->path_mtu_override;
	view_recompute(v);
	return 0;
}

void node_opts_free(struct node_opts *o)
{
	cni_free(o->cni);
	o->cni = NULL;
}

void view_free(struct view *v)
{
	node_free(&v->node);
	podid_free(v->ids);
	cni_free(v->cni);
	memset(v, 0, sizeof(*v));
}
