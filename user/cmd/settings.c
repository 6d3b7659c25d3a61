// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "cmd/settings.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cli.h"
#include "lib/clock.h"
#include "lib/log.h"

/* How long an OVSDB may take to answer before we fall back. */
#define OVSDB_TIMEOUT_MS 2000

const char settings_help[] =
	"Node settings (flags win over --antrea-config, which wins over --mode auto):\n"
	"  --uplink IFACE         the uplink (default: transportInterface, else the\n"
	"                         default route's interface); on a bridged node the OVS\n"
	"                         internal port, whose NIC is IFACE~\n"
	"  --mode MODE            noEncap, encap, hybrid, networkPolicyOnly, or auto\n"
	"                         (default): encap if there is a tunnel port, else noEncap\n"
	"  --tunnel TYPE          geneve (50 bytes), vxlan (50), gre (42), stt (0); default\n"
	"                         geneve, or the tunnel port's type with --mode auto\n"
	"  --encryption MODE      none, ipsec (+38) or wireGuard (60 instead of the tunnel)\n"
	"  --default-mtu N        Antrea's defaultMTU: the MTU new Pods get\n"
	"  --path-mtu N           the path MTU of Pod traffic leaving the node, overriding\n"
	"                         what the uplink and mode imply\n"
	"  --antrea-config FILE   read the above from antrea-agent.conf (YAML)\n"
	"Pod names, from the first source that knows the veth:\n"
	"  --ovsdb SOCKET         Antrea's OVSDB (default " OVSDB_ANTREA_SOCK ",\n"
	"                         then " OVSDB_SYSTEM_SOCK ")\n"
	"  --cni-cache DIR        the runtime's libcni cache (default " DEFAULT_CNI_CACHE ")\n"
	"  --pod-map FILE         JSON {\"<veth>\": {\"namespace\": \"..\", \"name\": \"..\"}}\n";

void settings_init(struct settings *s)
{
	memset(s, 0, sizeof(*s));
	s->cni_cache = DEFAULT_CNI_CACHE;
	s->flags.mode = MODE_AUTO;
}

int settings_option(struct settings *s, int opt, const char *arg)
{
	unsigned long v;

	switch (opt) {
	case OPT_UPLINK:
		s->uplink = arg;
		return 1;
	case OPT_MODE:
		if (policy_parse_mode(arg, &s->flags.mode)) {
			pr_err("--mode is noEncap, encap, hybrid, networkPolicyOnly or auto, not "
			       "'%s'",
			       arg);
			return -1;
		}
		s->mode_set = s->flags.mode != MODE_AUTO;
		return 1;
	case OPT_TUNNEL:
		if (policy_parse_tunnel(arg, &s->flags.tunnel)) {
			pr_err("--tunnel is geneve, vxlan, gre or stt, not '%s'", arg);
			return -1;
		}
		s->tunnel_set = true;
		return 1;
	case OPT_ENCRYPTION:
		if (policy_parse_encryption(arg, &s->flags.encryption)) {
			pr_err("--encryption is none, ipsec or wireGuard, not '%s'", arg);
			return -1;
		}
		s->encryption_set = true;
		return 1;
	case OPT_DEFAULT_MTU:
		if (!cli_parse_uint("--default-mtu", arg, 68, 65535, &v))
			return -1;
		s->flags.default_mtu = (unsigned int)v;
		s->default_mtu_set = true;
		return 1;
	case OPT_PATH_MTU:
		/* 68: the smallest MTU IPv4 allows; 65535: an IP length's limit */
		if (!cli_parse_uint("--path-mtu", arg, 68, 65535, &v))
			return -1;
		s->flags.path_mtu_override = (unsigned int)v;
		return 1;
	case OPT_ANTREA_CONFIG:
		s->antrea_config = arg;
		return 1;
	case OPT_OVSDB:
		s->ovsdb = arg;
		return 1;
	case OPT_CNI_CACHE:
		s->cni_cache = arg;
		return 1;
	case OPT_POD_MAP:
		s->pod_map = arg;
		return 1;
	default:
		return 0;
	}
}

int settings_load_config(struct settings *s, const char **uplink)
{
	int err;

	*uplink = s->uplink;
	if (!s->antrea_config)
		return 0;
	err = antrea_config_load(s->antrea_config, &s->config);
	if (err)
		return err;
	if (!*uplink && s->config.transport_iface[0])
		*uplink = s->config.transport_iface;
	return 0;
}

/* Reads OVSDB: the socket given, else Antrea's then the system's. A socket
 * that is absent, dead or talks nonsense is a warning, never an error. */
static void load_ovsdb(struct settings *s)
{
	static const char *const defaults[] = { OVSDB_ANTREA_SOCK, OVSDB_SYSTEM_SOCK };
	size_t i;
	int err;

	if (s->ovsdb) {
		err = ovsdb_read_ports(s->ovsdb, OVSDB_TIMEOUT_MS, &s->ovs);
		/* Said once per change: a long watch re-reads it often. */
		if (err && err != s->ovsdb_err)
			pr_warn("cannot read OVSDB at %s (%s); Pods are named from the CNI cache",
				s->ovsdb,
				err == -EBADMSG ? "it does not speak OVSDB" : strerror(-err));
		else if (!err && s->ovsdb_err)
			pr_warn("OVSDB at %s answers again", s->ovsdb);
		s->ovsdb_err = err;
		return;
	}
	for (i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++) {
		err = ovsdb_read_ports(defaults[i], OVSDB_TIMEOUT_MS, &s->ovs);
		if (!err)
			return;
		if (err != -ENOENT)
			pr_warn("cannot read OVSDB at %s (%s); trying the next Pod source",
				defaults[i], strerror(-err));
	}
}

static void load_sources(struct settings *s)
{
	int err;

	load_ovsdb(s);
	err = cni_cache_load(s->cni_cache, &s->cni);
	if (err == -ENOENT)
		pr_info("no CNI cache at %s/results", s->cni_cache);
	else if (err)
		pr_warn("cannot read the CNI cache at %s/results: %s", s->cni_cache,
			strerror(-err));
	if (s->pod_map && pod_map_load(s->pod_map, &s->map))
		pr_warn("ignoring the Pod map %s", s->pod_map);
	s->sources =
		(struct pod_sources){ .ovsdb = &s->ovs, .cni_cache = &s->cni, .pod_map = &s->map };
}

/* A new Pod's name arrives after its veth (the CNI writes its cache entry
 * last), so an unnamed Pod re-reads the sources: soon at first, then less
 * and less often, so that a Pod no source knows costs next to nothing. */
#define NAME_RETRY_FIRST_MS 10
#define NAME_RETRY_MAX_MS 10000

void settings_name_pod(struct settings *s, struct pod_iface *pod)
{
	unsigned long long now = monotonic_ms();

	pod->pod_source = pod_sources_resolve(&s->sources, pod->ifname, &pod->pod);
	if (!pod->pod_source && now >= pod->name_retry_ms) {
		settings_free(s);
		load_sources(s);
		pod->pod_source = pod_sources_resolve(&s->sources, pod->ifname, &pod->pod);
		pod->name_backoff_ms =
			pod->name_backoff_ms ? pod->name_backoff_ms * 2 : NAME_RETRY_FIRST_MS;
		if (pod->name_backoff_ms > NAME_RETRY_MAX_MS)
			pod->name_backoff_ms = NAME_RETRY_MAX_MS;
		pod->name_retry_ms = now + pod->name_backoff_ms;
	}
	pod->named = pod->pod_source != NULL;
}

static bool tunnel_from_kind(const char *kind, enum tunnel_type *out)
{
	if (!strcmp(kind, "gretap") || !strcmp(kind, "gre"))
		return !policy_parse_tunnel("gre", out);
	return !policy_parse_tunnel(kind, out);
}

/* --mode auto: a tunnel port means encap (of its type); else noEncap. */
static void infer_mode(struct settings *s, const struct node *node)
{
	const struct ovs_port *tun = ovs_find_by_antrea_type(&s->ovs, "tunnel");

	if (tun) {
		s->policy.mode = MODE_ENCAP;
		if (!s->tunnel_set)
			tunnel_from_kind(tun->iface_type, &s->policy.tunnel);
		snprintf(s->mode_reason, sizeof(s->mode_reason),
			 "inferred: OVS tunnel port %s (%s)", tun->name, tun->iface_type);
	} else if (node->tunnel.ifindex) {
		s->policy.mode = MODE_ENCAP;
		if (!s->tunnel_set)
			tunnel_from_kind(node->tunnel.kind, &s->policy.tunnel);
		snprintf(s->mode_reason, sizeof(s->mode_reason), "inferred: tunnel device %s (%s)",
			 node->tunnel.name, node->tunnel.kind);
	} else if (node->uplink_nic.ifindex) {
		s->policy.mode = MODE_NOENCAP;
		snprintf(s->mode_reason, sizeof(s->mode_reason),
			 "inferred: uplink bridged (NIC %s), no tunnel port",
			 node->uplink_nic.name);
	} else {
		s->policy.mode = MODE_NOENCAP;
		snprintf(s->mode_reason, sizeof(s->mode_reason), "inferred: no tunnel port");
	}
}

void settings_apply(struct settings *s, struct node *node)
{
	load_sources(s);
	node_name_pods(node, &s->sources);

	s->policy = s->antrea_config ? s->config.policy : (struct policy){ .mode = MODE_AUTO };
	if (s->mode_set) {
		s->policy.mode = s->flags.mode;
		snprintf(s->mode_reason, sizeof(s->mode_reason), "--mode");
	} else if (s->antrea_config && s->config.has_mode) {
		snprintf(s->mode_reason, sizeof(s->mode_reason), "%s", s->antrea_config);
	} else if (s->antrea_config) {
		snprintf(s->mode_reason, sizeof(s->mode_reason), "Antrea's default (%s sets none)",
			 s->antrea_config);
	}
	if (s->tunnel_set)
		s->policy.tunnel = s->flags.tunnel;
	if (s->encryption_set)
		s->policy.encryption = s->flags.encryption;
	if (s->default_mtu_set)
		s->policy.default_mtu = s->flags.default_mtu;
	s->policy.path_mtu_override = s->flags.path_mtu_override;
	if (s->policy.mode == MODE_AUTO)
		infer_mode(s, node);
	s->policy.ipv6 = node->uplink_ipv6;
}

void settings_free(struct settings *s)
{
	ovs_ports_free(&s->ovs);
	pod_table_free(&s->cni);
	pod_table_free(&s->map);
}
