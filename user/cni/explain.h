/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Findings explained in a CNI's words, for the modules whose causes and
 * remedies differ only in names: what the CNI is called, where its MTU is
 * set, what to restart when its own devices are off. (Antrea has its own:
 * its remedies name antrea-agent.conf and Open vSwitch's mtu_request.)
 */
#ifndef MTUGUARD_CNI_EXPLAIN_H
#define MTUGUARD_CNI_EXPLAIN_H

#include "cni/cni.h"

struct cni_words {
	const char *display;	   /* "Calico" */
	const char *mtu_setting;   /* where the Pod MTU is set: "the Installation's
				      spec.calicoNetwork.mtu" */
	const char *device_remedy; /* for its gateway or tunnel off the Pod MTU */
};

void cni_explain_in_words(const struct cni_words *w, const struct finding_ctx *ctx,
			  struct mismatch *m);

#endif
