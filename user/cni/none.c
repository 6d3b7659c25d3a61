// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * No CNI recognised: nothing is intended, so nothing is expected. Only what
 * the kernel proves is a finding: a Pod larger than the path its packets
 * take (the uplink's MTU), veth ends that differ.
 */
#include <stdio.h>

#include "cni/cni_module.h"
#include "cni/explain.h"

static const struct cni_words none_words = {
	.display = "the CNI",
	.mtu_setting = "the CNI's Pod MTU",
	.device_remedy = "restart the CNI's agent on this node",
};

static void none_explain(const void *state, const struct finding_ctx *ctx, struct mismatch *m)
{
	(void)state;
	cni_explain_in_words(&none_words, ctx, m);
}

static void none_describe(const void *state, char *buf, size_t size)
{
	(void)state;
	snprintf(buf, size, "no CNI recognised, nothing expected");
}

static const struct cni_devices none_devices = { 0 };

const struct cni_ops cni_none = {
	.name = "none",
	.explain = none_explain,
	.describe = none_describe,
	.devices = &none_devices,
};
