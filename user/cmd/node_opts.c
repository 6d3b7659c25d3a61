// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "cmd/node_opts.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "cni/conf.h"
#include "lib/cli.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "lib/nodefile.h"
#include "podid/ovsdb.h"

enum { OPT_CNI, OPT_HOST_ROOT, OPT_CNI_CONF_DIR, OPT_UPLINK, OPT_PATH_MTU };

static const struct opt_def node_defs[] = {
	[OPT_CNI] = { "cni", 0, "NAME",
		      "auto (default), antrea, calico, cilium, flannel, kube-ovn,\n"
		      "ovn-kubernetes, aws-vpc-cni or none. auto reads the CNI config\n"
		      "as the runtime does (the first file of the conf dir, Multus\n"
		      "followed) and checks the CNI's devices; an Antrea setting below\n"
		      "selects Antrea" },
	[OPT_HOST_ROOT] = { "host-root", 0, "DIR",
			    "where the node's / is (default /; the DaemonSet mounts it at\n"
			    "/host): every node file is read under it, except one a flag names" },
	[OPT_CNI_CONF_DIR] = { "cni-conf-dir", 0, "DIR",
			       "the CNI conf dir (default: /etc/cni/net.d under the host root)" },
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
	case OPT_CNI:
		if (!cni_known(arg)) {
			pr_err("--cni is auto, %s, not '%s'", cni_names(), arg);
			return -1;
		}
		o->cni = arg;
		return 0;
	case OPT_HOST_ROOT:
		if (!*arg) {
			pr_err("--host-root needs a directory ('/' for this machine's own)");
			return -1;
		}
		o->host_root = arg;
		return 0;
	case OPT_CNI_CONF_DIR:
		o->conf_dir = arg;
		return 0;
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
		o->ovsdb_set = true;
		return 0;
	case OPT_CNI_CACHE:
		o->podid.cni_cache = arg;
		o->cni_cache_set = true;
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
	o->cni = "auto";
	o->host_root = "/";
	o->n_modules = cni_new_all(o->modules);
	return o->n_modules ? 0 : -ENOMEM;
}

size_t node_opts_groups(struct node_opts *o, struct opt_group groups[NODE_OPT_GROUPS_MAX])
{
	size_t n = 0, i;

	groups[n++] = (struct opt_group){ .title = "Node settings",
					  .defs = OPT_DEFS(node_defs),
					  .handle = node_option,
					  .ctx = o };
	for (i = 0; i < o->n_modules; i++) {
		struct opt_group g = cni_option_group(o->modules[i]);

		if (g.n)
			groups[n++] = g;
	}
	groups[n++] =
		(struct opt_group){ .title = "Pod names, from the first source that knows the veth",
				    .defs = OPT_DEFS(podid_defs),
				    .handle = podid_option,
				    .ctx = o };
	return n;
}

static void roles_from_cni(const struct cni *cni, struct node_roles *roles)
{
	const struct cni_devices *d = cni_devices(cni);
	size_t i;

	memset(roles, 0, sizeof(*roles));
	if (!d)
		return;
	snprintf(roles->gateway, sizeof(roles->gateway), "%s", d->gateway ? d->gateway : "");
	for (i = 0; i < NODE_MAX_TUNNELS && i < CNI_MAX_TUNNELS && d->tunnels[i]; i++)
		snprintf(roles->tunnels[i], sizeof(roles->tunnels[i]), "%s", d->tunnels[i]);
	snprintf(roles->bridged_nic_suffix, sizeof(roles->bridged_nic_suffix), "%s",
		 d->bridged_nic_suffix ? d->bridged_nic_suffix : "");
	roles->pod_route_mtu = d->pod_route_mtu;
}

/* The names of this netns's interfaces, for telling CNIs apart; *names
 * and *links malloc'd. */
static int link_names(struct nl_link **links, const char ***names, size_t *n)
{
	size_t i;
	int err = nl_dump_links(NL_OWN_NETNS, links, n);

	if (err) {
		pr_err("cannot list network interfaces over rtnetlink: %s", strerror(-err));
		return err;
	}
	*names = calloc(*n ? *n : 1, sizeof(**names));
	if (!*names) {
		free(*links);
		return -ENOMEM;
	}
	for (i = 0; i < *n; i++)
		(*names)[i] = (*links)[i].name;
	return 0;
}

/* Which module judges this node, and why. */
static struct cni *choose(struct node_opts *o, const struct cni_conf *conf)
{
	char name[32], why[PATH_MAX + 160];
	struct nl_link *links = NULL;
	const char **names = NULL;
	struct cni *cni, *antrea;
	size_t n;

	antrea = cni_take(o->modules, o->n_modules, "antrea");
	if (strcmp(o->cni, "auto")) {
		snprintf(name, sizeof(name), "%s", o->cni);
		snprintf(why, sizeof(why), "--cni");
	} else if (antrea && cni_options_given(antrea)) {
		snprintf(name, sizeof(name), "antrea");
		snprintf(why, sizeof(why), "Antrea's settings on the command line");
	} else {
		if (link_names(&links, &names, &n)) {
			cni_free(antrea);
			return NULL;
		}
		cni_detect(conf, names, n, name, sizeof(name), why, sizeof(why));
		free(names);
		free(links);
	}
	if (strcmp(name, "antrea") && antrea && cni_options_given(antrea))
		pr_warn("Antrea's settings are ignored: this node is judged as %s (%s)", name, why);
	cni = strcmp(name, "antrea") ? cni_take(o->modules, o->n_modules, name) : antrea;
	if (cni != antrea)
		cni_free(antrea);
	if (cni)
		cni_set_source(cni, "%s", why);
	return cni;
}

/* Defaults that name node files are looked up under the host root. */
static void apply_host_root(struct node_opts *o)
{
	if (!o->cni_cache_set) {
		host_path(o->cni_cache, sizeof(o->cni_cache), o->host_root, DEFAULT_CNI_CACHE);
		o->podid.cni_cache = o->cni_cache;
	}
	o->podid.host_root = o->host_root;
}

int node_opts_view(struct node_opts *o, struct view *v)
{
	const char *uplink = o->uplink;
	char conf_dir[PATH_MAX];
	struct cni_conf conf;
	struct node_roles roles;
	struct cni_env env;
	struct cni *cni;
	int err;

	memset(v, 0, sizeof(*v));
	apply_host_root(o);
	if (o->conf_dir)
		snprintf(conf_dir, sizeof(conf_dir), "%s", o->conf_dir);
	else
		host_path(conf_dir, sizeof(conf_dir), o->host_root, CNI_CONF_DIR);
	cni_conf_read(conf_dir, o->host_root, &conf);
	cni = choose(o, &conf);
	node_opts_free(o); /* the modules not chosen */
	if (!cni) {
		cni_conf_free(&conf);
		return -ENOMEM;
	}
	env = (struct cni_env){ .host_root = o->host_root, .conf = &conf };
	err = cni_load(cni, &env, &uplink);
	cni_conf_free(&conf);
	if (!err) {
		roles_from_cni(cni, &roles);
		err = node_discover(&v->node, uplink, &roles);
	}
	if (err) {
		cni_free(cni);
		return err;
	}
	v->ids = podid_new(&o->podid, cni_ovsdb_keys(cni));
	if (!v->ids) {
		pr_err("cannot start the Pod name reader: %s", strerror(errno));
		node_free(&v->node);
		cni_free(cni);
		return -ENOMEM;
	}
	podid_load(v->ids, &v->node, monotonic_ms());
	v->cni = cni;
	v->path_mtu_override = o->path_mtu_override;
	view_recompute(v);
	return 0;
}

int view_reread(struct view *v)
{
	char uplink[IF_NAMESIZE];
	struct node_roles roles;
	struct node fresh;
	int err;

	snprintf(uplink, sizeof(uplink), "%s", v->node.uplink.name);
	roles_from_cni(v->cni, &roles);
	err = node_discover(&fresh, uplink[0] ? uplink : NULL, &roles);
	if (err)
		return err;
	node_free(&v->node);
	v->node = fresh;
	podid_load(v->ids, &v->node, monotonic_ms());
	view_recompute(v);
	return 0;
}

void node_opts_free(struct node_opts *o)
{
	size_t i;

	for (i = 0; i < o->n_modules; i++) {
		cni_free(o->modules[i]);
		o->modules[i] = NULL;
	}
	o->n_modules = 0;
}

void view_free(struct view *v)
{
	limits_free(&v->limits);
	node_free(&v->node);
	podid_free(v->ids);
	cni_free(v->cni);
	memset(v, 0, sizeof(*v));
}
