// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "cni/cni.h"

#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cni/cni_module.h"
#include "cni/conf.h"
#include "lib/log.h"

/* Every module; "none" last: it is what is left when nothing fits. */
static const struct cni_ops *const modules[] = {
	&cni_antrea,	     &cni_calico,      &cni_flannel, &cni_kube_ovn,
	&cni_ovn_kubernetes, &cni_aws_vpc_cni, &cni_cilium,  &cni_none,
};

#define N_MODULES (sizeof(modules) / sizeof(modules[0]))

struct cni {
	const struct cni_ops *ops;
	char source[PATH_MAX + 160];
	/* the module's state follows */
	_Alignas(max_align_t) unsigned char state[];
};

static const struct cni_ops *find_module(const char *name)
{
	size_t i;

	for (i = 0; i < N_MODULES; i++) {
		if (!strcmp(modules[i]->name, name))
			return modules[i];
	}
	return NULL;
}

const char *cni_names(void)
{
	return "antrea|calico|flannel|kube-ovn|ovn-kubernetes|aws-vpc-cni|none";
}

struct cni *cni_new(const char *name)
{
	const struct cni_ops *ops = find_module(name);
	struct cni *cni;

	if (!ops) {
		pr_err("--cni is auto, %s, not '%s'", cni_names(), name);
		return NULL;
	}
	cni = calloc(1, sizeof(*cni) + ops->state_size);
	if (!cni) {
		pr_err("out of memory");
		return NULL;
	}
	cni->ops = ops;
	snprintf(cni->source, sizeof(cni->source), "--cni");
	if (ops->init)
		ops->init(cni->state);
	return cni;
}

size_t cni_new_all(struct cni *all[CNI_MODULES_MAX])
{
	size_t i;

	_Static_assert(N_MODULES <= CNI_MODULES_MAX, "raise CNI_MODULES_MAX");
	for (i = 0; i < N_MODULES; i++) {
		all[i] = cni_new(modules[i]->name);
		if (!all[i]) {
			while (i--)
				cni_free(all[i]);
			return 0;
		}
	}
	return N_MODULES;
}

struct cni *cni_take(struct cni *all[CNI_MODULES_MAX], size_t n, const char *name)
{
	struct cni *cni;
	size_t i;

	for (i = 0; i < n; i++) {
		if (all[i] && !strcmp(all[i]->ops->name, name)) {
			cni = all[i];
			all[i] = NULL;
			return cni;
		}
	}
	return NULL;
}

bool cni_known(const char *name)
{
	return !strcmp(name, "auto") || find_module(name);
}

void cni_free(struct cni *cni)
{
	if (!cni)
		return;
	if (cni->ops->free)
		cni->ops->free(cni->state);
	free(cni);
}

const char *cni_name(const struct cni *cni)
{
	return cni->ops->name;
}

const char *cni_source(const struct cni *cni)
{
	return cni->source;
}

void cni_set_source(struct cni *cni, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cni->source, sizeof(cni->source), fmt, ap);
	va_end(ap);
}

struct opt_group cni_option_group(struct cni *cni)
{
	return (struct opt_group){
		.title = cni->ops->options_title,
		.defs = cni->ops->options,
		.n = cni->ops->n_options,
		.handle = cni->ops->option,
		.ctx = cni->state,
	};
}

bool cni_options_given(const struct cni *cni)
{
	return cni->ops->options_given && cni->ops->options_given(cni->state);
}

static bool listed(const char *const *names, const char *name)
{
	for (; names && *names; names++) {
		if (!strcmp(*names, name))
			return true;
	}
	return false;
}

/* The first of @ops's signature devices among @links, or NULL. */
static const char *signature_present(const struct cni_ops *ops, const char *const *links,
				     size_t n_links)
{
	const char *const *dev;
	size_t i;

	for (dev = ops->signature_devices; dev && *dev; dev++) {
		for (i = 0; i < n_links; i++) {
			if (!strcmp(links[i], *dev))
				return *dev;
		}
	}
	return NULL;
}

/* Canal is Calico's policy over Flannel's network: its config's first
 * plugin is calico, but Flannel sets the MTU (flannel.1, subnet.env). */
static const struct cni_ops *canal_or(const struct cni_ops *ops, const char *const *links,
				      size_t n_links)
{
	if (ops == &cni_calico && signature_present(&cni_flannel, links, n_links))
		return &cni_flannel;
	return ops;
}

void cni_detect(const struct cni_conf *conf, const char *const *links, size_t n_links, char *name,
		size_t name_size, char *why, size_t why_size)
{
	const struct cni_ops *ops = NULL;
	const char *dev;
	size_t i;

	for (i = 0; conf->type[0] && i < N_MODULES && !ops; i++) {
		if (listed(modules[i]->plugin_types, conf->type))
			ops = canal_or(modules[i], links, n_links);
	}
	if (ops) {
		dev = signature_present(ops, links, n_links);
		snprintf(name, name_size, "%s", ops->name);
		snprintf(why, why_size, "%s%s%s (type %s%s), %s%s", conf->path,
			 conf->via[0] ? " via " : "", conf->via, conf->type,
			 ops == &cni_flannel && strcmp(conf->type, "flannel") ? ": Canal" : "",
			 dev ? "with " : "none of its devices is here yet", dev ? dev : "");
		return;
	}
	if (conf->type[0])
		pr_warn("%s names the plugin type '%s', which mtuguard does not know; judging by "
			"the node's devices",
			conf->path, conf->type);
	for (i = 0; i < N_MODULES; i++) {
		dev = signature_present(modules[i], links, n_links);
		if (dev) {
			ops = canal_or(modules[i], links, n_links);
			snprintf(name, name_size, "%s", ops->name);
			snprintf(why, why_size, "device %s (no CNI config says otherwise)", dev);
			return;
		}
	}
	snprintf(name, name_size, "none");
	snprintf(why, why_size, "no CNI config%s%s and no CNI's device: nothing is expected",
		 conf->path[0] ? " it knows at " : "", conf->path);
}

int cni_load(struct cni *cni, const struct cni_env *env, const char **uplink)
{
	return cni->ops->load ? cni->ops->load(cni->state, env, uplink) : 0;
}

void cni_resolve(struct cni *cni, const struct node *node, const struct ovs_ports *ovs)
{
	if (cni->ops->resolve)
		cni->ops->resolve(cni->state, node, ovs);
}

unsigned int cni_expected_pod_mtu(const struct cni *cni, const struct node *node)
{
	return cni->ops->expected_pod_mtu ? cni->ops->expected_pod_mtu(cni->state, node) : 0;
}

unsigned int cni_configured_pod_mtu(const struct cni *cni)
{
	return cni->ops->configured_pod_mtu ? cni->ops->configured_pod_mtu(cni->state) : 0;
}

unsigned int cni_overhead(const struct cni *cni)
{
	return cni->ops->overhead ? cni->ops->overhead(cni->state) : 0;
}

unsigned int cni_tunnel_floor(const struct cni *cni, const struct node *node)
{
	if (cni->ops->tunnel_floor)
		return cni->ops->tunnel_floor(cni->state, node);
	return cni_expected_pod_mtu(cni, node);
}

unsigned int cni_route_mtu(const struct cni *cni, const struct node *node, const struct nl_route *r,
			   unsigned int generic, char *why, size_t size)
{
	if (!cni->ops->route_mtu)
		return generic;
	return cni->ops->route_mtu(cni->state, node, r, generic, why, size);
}

void cni_describe_overhead(const struct cni *cni, char *buf, size_t size)
{
	if (cni->ops->describe_overhead)
		cni->ops->describe_overhead(cni->state, buf, size);
	else if (size)
		buf[0] = '\0';
}

void cni_explain(const struct cni *cni, const struct finding_ctx *ctx, struct mismatch *m)
{
	cni->ops->explain(cni->state, ctx, m);
}

void cni_to_json(const struct cni *cni, struct json_object *o)
{
	struct json_object *id = json_object_new_object();

	json_object_object_add(id, "name", json_object_new_string(cni->ops->name));
	json_object_object_add(id, "source", json_object_new_string(cni->source));
	json_object_object_add(o, "cni", id);
	if (cni->ops->to_json)
		cni->ops->to_json(cni->state, o);
}

void cni_describe(const struct cni *cni, char *buf, size_t size)
{
	if (cni->ops->describe)
		cni->ops->describe(cni->state, buf, size);
	else
		snprintf(buf, size, "%s", cni->ops->name);
}

const struct cni_devices *cni_devices(const struct cni *cni)
{
	return cni->ops->devices;
}

const struct ovsdb_keys *cni_ovsdb_keys(const struct cni *cni)
{
	return cni->ops->ovsdb;
}

bool cni_updates_running_pods(const struct cni *cni)
{
	return cni->ops->updates_running_pods;
}
