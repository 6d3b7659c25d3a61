// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "cni/cni.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cni/cni_module.h"
#include "lib/log.h"

/* Every module, the one "auto" picks first. */
static const struct cni_ops *const modules[] = {
	&cni_antrea,
};

#define N_MODULES (sizeof(modules) / sizeof(modules[0]))

struct cni {
	const struct cni_ops *ops;
	const char *source;
	/* the module's state follows */
	_Alignas(max_align_t) unsigned char state[];
};

struct cni *cni_new(const char *name)
{
	const struct cni_ops *ops = NULL;
	struct cni *cni;
	size_t i;

	/* Antrea is the only module so far, so "auto" has nothing to tell
	 * apart yet: it takes Antrea, as mtuguard always has. */
	if (!strcmp(name, "auto"))
		ops = modules[0];
	for (i = 0; i < N_MODULES && !ops; i++) {
		if (!strcmp(modules[i]->name, name))
			ops = modules[i];
	}
	if (!ops) {
		pr_err("no CNI module named '%s'", name);
		return NULL;
	}
	cni = calloc(1, sizeof(*cni) + ops->state_size);
	if (!cni)
		return NULL;
	cni->ops = ops;
	cni->source = strcmp(name, "auto") ? "--cni" : "default";
	if (ops->init)
		ops->init(cni->state);
	return cni;
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

int cni_load(struct cni *cni, const char **uplink)
{
	return cni->ops->load ? cni->ops->load(cni->state, uplink) : 0;
}

void cni_resolve(struct cni *cni, const struct node *node, const struct ovs_ports *ovs)
{
	if (cni->ops->resolve)
		cni->ops->resolve(cni->state, node, ovs);
}

unsigned int cni_expected_pod_mtu(const struct cni *cni, const struct node *node)
{
	return cni->ops->expected_pod_mtu(cni->state, node);
}

unsigned int cni_configured_pod_mtu(const struct cni *cni)
{
	return cni->ops->configured_pod_mtu ? cni->ops->configured_pod_mtu(cni->state) : 0;
}

unsigned int cni_overhead(const struct cni *cni)
{
	return cni->ops->overhead ? cni->ops->overhead(cni->state) : 0;
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
