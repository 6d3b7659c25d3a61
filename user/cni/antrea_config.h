/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Reading antrea-agent.conf (YAML, libyaml): the settings that decide Pod
 * MTUs. Only top-level keys matter here: trafficEncapMode, tunnelType,
 * trafficEncryptionMode, defaultMTU, transportInterface, enableBridgingMode.
 */
#ifndef MTUGUARD_ANTREA_CONFIG_H
#define MTUGUARD_ANTREA_CONFIG_H

#include <net/if.h>
#include <stdbool.h>

#include "cni/antrea_mtu.h"

struct antrea_config {
	struct policy policy;
	char transport_iface[IF_NAMESIZE]; /* "" when not set */
	bool bridging;			   /* enableBridgingMode */
	bool has_mode; /* trafficEncapMode was set (else Antrea's default, encap) */
};

/* Fills @cfg from the file at @path, starting from Antrea's defaults
 * (encap, geneve, no encryption). Reports one sentence and returns -errno
 * (-EINVAL for a malformed file or value). */
int antrea_config_load(const char *path, struct antrea_config *cfg);

#endif
