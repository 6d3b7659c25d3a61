// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The AWS VPC CNI (CNI.md): routed, no encapsulation, host veths eni*. The
 * Pod MTU is POD_MTU, else AWS_VPC_ENI_MTU (9001), which the agent writes
 * into 10-aws.conflist as "mtu": a JSON string ("9001"), not a number.
 * Inside the VPC 9001 fits; beyond it (an Internet gateway, a VPN,
 * peering) paths are 1500 and rely on PMTUD through the host's routing.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "cni/cni_module.h"
#include "cni/conf.h"
#include "cni/explain.h"
#include "lib/log.h"

#define AWS_PLUGIN "aws-cni"

struct aws {
	unsigned int mtu; /* the conflist's, 0: not readable */
	char source[PATH_MAX];
};

static int aws_load(void *state, const struct cni_env *env, const char **uplink)
{
	struct aws *a = state;
	struct json_object *plugin = cni_conf_plugin(env->conf, AWS_PLUGIN), *mtu;
	const char *text;
	unsigned long v;
	char *end;

	(void)uplink;
	if (!plugin || !json_object_object_get_ex(plugin, "mtu", &mtu)) {
		pr_warn("no \"mtu\" for %s in %s; expecting no Pod MTU", AWS_PLUGIN,
			env->conf->path[0] ? env->conf->path : "any CNI config");
		return 0;
	}
	if (!json_object_is_type(mtu, json_type_string)) {
		pr_warn("%s: the AWS VPC CNI's \"mtu\" is a string (\"9001\"), not %s; expecting "
			"no Pod MTU",
			env->conf->path, json_object_to_json_string(mtu));
		return 0;
	}
	text = json_object_get_string(mtu);
	errno = 0;
	v = strtoul(text, &end, 10);
	if (end == text || *end || errno || v < 68 || v > 65535) {
		pr_warn("%s: the AWS VPC CNI's \"mtu\" is not an MTU ('%s'); expecting no Pod MTU",
			env->conf->path, text);
		return 0;
	}
	a->mtu = (unsigned int)v;
	snprintf(a->source, sizeof(a->source), "%s", env->conf->path);
	return 0;
}

static unsigned int aws_expected(const void *state, const struct node *node)
{
	const struct aws *a = state;

	(void)node;
	return a->mtu;
}

static const struct cni_words aws_words = {
	.display = "the AWS VPC CNI",
	.mtu_setting = "POD_MTU (or AWS_VPC_ENI_MTU) on the aws-node DaemonSet",
	.device_remedy = "restart aws-node on this node",
};

static void aws_explain(const void *state, const struct finding_ctx *ctx, struct mismatch *m)
{
	(void)state;
	cni_explain_in_words(&aws_words, ctx, m);
}

static void aws_to_json(const void *state, struct json_object *o)
{
	const struct aws *a = state;

	json_object_object_add(o, "mtu_source", a->mtu ? json_object_new_string(a->source) : NULL);
}

static void aws_describe(const void *state, char *buf, size_t size)
{
	const struct aws *a = state;

	snprintf(buf, size, "no encapsulation, Pod MTU from %s",
		 a->mtu ? a->source : "nowhere readable");
}

static const struct cni_devices aws_devices = { 0 };
static const char *const aws_types[] = { AWS_PLUGIN, NULL };

const struct cni_ops cni_aws_vpc_cni = {
	.name = "aws-vpc-cni",
	.state_size = sizeof(struct aws),
	.plugin_types = aws_types,
	.load = aws_load,
	.expected_pod_mtu = aws_expected,
	.explain = aws_explain,
	.to_json = aws_to_json,
	.describe = aws_describe,
	.devices = &aws_devices,
	.updates_running_pods = false,
};
