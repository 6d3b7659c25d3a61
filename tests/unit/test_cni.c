// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Which CNI runs here and what each module expects, on CNI.md's numbers:
 * the conf dir read as the runtime reads it (first file, Multus followed by
 * path and by name), corroboration by devices, Canal; each module's Pod
 * MTU source and overheads; bad files as a fallback, never a guess.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cni/cni.h"
#include "cni/conf.h"
#include "lib/log.h"
#include "fixture_view.h"
#include "limits/audit.h"
#include "limits/limits.h"
#include "node/node.h"

#define HOSTS "tests/fixtures/hosts"

static char name[32], why[4200];

/* Detects the CNI of the fixture host @host with @links present. */
static const char *detect(const char *host, const char *const *links, size_t n)
{
	char root[256], dir[512];
	struct cni_conf conf;

	snprintf(root, sizeof(root), HOSTS "/%s", host);
	snprintf(dir, sizeof(dir), "%s" CNI_CONF_DIR, root);
	cni_conf_read(dir, root, &conf);
	cni_detect(&conf, links, n, name, sizeof(name), why, sizeof(why));
	cni_conf_free(&conf);
	return name;
}

static void test_first_conf_file_decides(void **state)
{
	static const char *const vxlan[] = { "eth0", "vxlan.calico" };

	(void)state;
	assert_string_equal(detect("calico-auto", vxlan, 2), "calico");
	assert_non_null(strstr(why, "10-calico.conflist (type calico), with vxlan.calico"));
	/* The file decides even before the CNI's devices exist. */
	assert_string_equal(detect("calico-auto", NULL, 0), "calico");
	assert_non_null(strstr(why, "none of its devices"));
	assert_string_equal(detect("aws", NULL, 0), "aws-vpc-cni");
}

static void test_multus_is_followed(void **state)
{
	(void)state;
	/* By path, as its container sees the host: /host stripped. */
	assert_string_equal(detect("multus", NULL, 0), "calico");
	assert_non_null(strstr(why, "via "));
	assert_non_null(strstr(why, "00-multus.conf"));
	/* By network name. */
	assert_string_equal(detect("multus-by-name", NULL, 0), "flannel");
	/* To a file that is not there: judged by the devices. */
	assert_string_equal(detect("multus-missing", NULL, 0), "none");
}

static void test_bad_or_unknown_config_falls_back_to_devices(void **state)
{
	static const char *const calico_dev[] = { "eth0", "tunl0" };
	static const char *const flannel_dev[] = { "eth0", "flannel.1", "cni0" };

	(void)state;
	assert_string_equal(detect("broken", NULL, 0), "none");
	assert_string_equal(detect("broken", calico_dev, 2), "calico");
	assert_non_null(strstr(why, "device tunl0"));
	assert_string_equal(detect("unknown", NULL, 0), "none");
	assert_string_equal(detect("nonexistent", flannel_dev, 3), "flannel");
	assert_string_equal(detect("nonexistent", NULL, 0), "none");
}

static void test_canal_is_flannel(void **state)
{
	static const char *const canal[] = { "eth0", "flannel.1" };

	(void)state;
	assert_string_equal(detect("calico-auto", canal, 2), "flannel");
	assert_non_null(strstr(why, "Canal"));
}

/* The links of the node node_with() made last: its role devices, and
 * room for one more (add_link). */
static struct nl_link node_links[4];

/* Lists @n's uplink, tunnel and gateway as its links, as the kernel would. */
static void relink(struct node *n)
{
	n->links = node_links;
	n->n_links = 0;
	node_links[n->n_links++] = n->uplink;
	if (n->tunnel.ifindex)
		node_links[n->n_links++] = n->tunnel;
	if (n->gateway.ifindex)
		node_links[n->n_links++] = n->gateway;
}

/* A link beside the role devices (a second tunnel device). */
static void add_link(struct node *n, const char *name, unsigned int mtu)
{
	struct nl_link *l = &node_links[n->n_links++];

	*l = (struct nl_link){ .ifindex = 10 + (int)n->n_links, .mtu = mtu, .up = true };
	snprintf(l->name, sizeof(l->name), "%s", name);
}

/* The node of the module tests: a 1500 NIC and a tunnel device at 1450;
 * its links valid until the next call. */
static struct node node_with(const char *tunnel, bool up, bool ipv6, const char *gateway,
			     unsigned int gateway_mtu)
{
	struct node node = { .uplink = { .ifindex = 2, .name = "eth0", .mtu = 1500, .up = true },
			     .uplink_ipv6 = ipv6 };

	if (tunnel) {
		node.tunnel = (struct nl_link){ .ifindex = 5, .mtu = 1450, .up = up };
		snprintf(node.tunnel.name, sizeof(node.tunnel.name), "%s", tunnel);
	}
	if (gateway) {
		node.gateway = (struct nl_link){ .ifindex = 6, .mtu = gateway_mtu, .up = true };
		snprintf(node.gateway.name, sizeof(node.gateway.name), "%s", gateway);
	}
	relink(&node);
	return node;
}

/* @module with its settings read from fixture host @host. */
static struct cni *loaded(const char *module, const char *host)
{
	char root[256], dir[512];
	struct cni_conf conf;
	struct cni_env env = { .conf = &conf };
	struct cni *cni = cni_new(module);
	const char *uplink = NULL;

	assert_non_null(cni);
	snprintf(root, sizeof(root), HOSTS "/%s", host);
	snprintf(dir, sizeof(dir), "%s" CNI_CONF_DIR, root);
	env.host_root = root;
	cni_conf_read(dir, root, &conf);
	assert_int_equal(cni_load(cni, &env, &uplink), 0);
	cni_conf_free(&conf);
	return cni;
}

/* The limits @module computes for @node from fixture host @host. */
static struct limits limits_of(const char *module, const char *host, const struct node *node)
{
	struct cni *cni = loaded(module, host);
	struct limits l = { 0 };

	cni_resolve(cni, node, NULL);
	limits_compute(&l, node, cni, 0);
	cni_free(cni);
	return l;
}

static enum mismatch_kind first_finding;

/* How many findings `check` makes of @node (its Pods, if any, and its
 * devices) as @module on fixture host @host; the first in first_finding. */
static size_t findings_of(const char *module, const char *host, const struct node *node)
{
	struct check_report r;
	struct view v;
	size_t n;

	fixture_view(&v, node, loaded(module, host), NULL);
	assert_int_equal(check_node(&v, &r), 0);
	n = r.n;
	if (n)
		first_finding = r.items[0].kind;
	check_report_free(&r);
	fixture_view_free(&v);
	return n;
}

static void test_calico_mtu_sources_and_overheads(void **state)
{
	struct node n = node_with("vxlan.calico", true, false, NULL, 0);
	struct limits l;

	(void)state;
	/* "mtu": 0 is auto: the number calico-node wrote. */
	l = limits_of("calico", "calico-auto", &n);
	assert_int_equal(l.expected_pod_mtu, 1450);
	assert_int_equal(l.overhead, 50);
	assert_int_equal(l.path_mtu, 1450);
	/* A non-zero conflist value wins. */
	l = limits_of("calico", "calico-fixed", &n);
	assert_int_equal(l.expected_pod_mtu, 1440);
	/* VXLAN over an IPv6 underlay costs 70. */
	n = node_with("vxlan.calico", true, true, NULL, 0);
	assert_int_equal(limits_of("calico", "calico-auto", &n).overhead, 70);
	/* IPIP 20 (IPv4 only), WireGuard 60. */
	n = node_with("tunl0", true, false, NULL, 0);
	assert_int_equal(limits_of("calico", "calico-auto", &n).overhead, 20);
	n = node_with("wireguard.cali", true, false, NULL, 0);
	assert_int_equal(limits_of("calico", "calico-auto", &n).overhead, 60);
	/* tunl0 down (the ipip module loaded, unused): no encapsulation. */
	n = node_with("tunl0", false, false, NULL, 0);
	assert_int_equal(limits_of("calico", "calico-auto", &n).overhead, 0);
	/* "mtu" of the wrong type: nothing expected, no invented finding. */
	n = node_with("vxlan.calico", true, false, NULL, 0);
	assert_int_equal(limits_of("calico", "calico-bad-mtu", &n).expected_pod_mtu, 0);
}

static void test_flannel_subnet_env_and_backends(void **state)
{
	struct node n = node_with("flannel.1", true, false, "cni0", 1450);
	struct limits l;

	(void)state;
	l = limits_of("flannel", "flannel", &n);
	assert_int_equal(l.expected_pod_mtu, 1450);
	assert_int_equal(l.overhead, 50);
	n = node_with("flannel-wg", true, false, "cni0", 1420);
	assert_int_equal(limits_of("flannel", "flannel", &n).overhead, 80);
	n = node_with(NULL, false, false, "cni0", 1500);
	assert_int_equal(limits_of("flannel", "flannel", &n).overhead, 0); /* host-gw */
	/* subnet.env without FLANNEL_MTU, or none at all: nothing expected. */
	assert_int_equal(limits_of("flannel", "flannel-no-mtu", &n).expected_pod_mtu, 0);
	assert_int_equal(limits_of("flannel", "nonexistent", &n).expected_pod_mtu, 0);
}

static void test_aws_mtu_is_a_string(void **state)
{
	struct node n = node_with(NULL, false, false, NULL, 0);

	(void)state;
	n.uplink.mtu = 9001;
	assert_int_equal(limits_of("aws-vpc-cni", "aws", &n).expected_pod_mtu, 9001);
	assert_int_equal(limits_of("aws-vpc-cni", "aws", &n).path_mtu, 9001);
	assert_int_equal(limits_of("aws-vpc-cni", "aws-int", &n).expected_pod_mtu, 0);
}

static void test_ovn_cnis_overheads(void **state)
{
	struct node n = node_with("genev_sys_6081", true, false, "ovn0", 1400);
	struct limits l;

	(void)state;
	l = limits_of("kube-ovn", "nonexistent", &n);
	assert_int_equal(l.expected_pod_mtu, 1400); /* ovn0 is at the Pod MTU */
	assert_int_equal(l.overhead, 100);
	n = node_with("vxlan_sys_4789", true, true, "ovn0", 1430);
	assert_int_equal(limits_of("kube-ovn", "nonexistent", &n).overhead, 70);
	n = node_with(NULL, false, false, "ovn-k8s-mp0", 1400);
	assert_int_equal(limits_of("ovn-kubernetes", "nonexistent", &n).overhead, 58);
	assert_int_equal(limits_of("ovn-kubernetes", "nonexistent", &n).path_mtu, 1442);
	n.uplink_ipv6 = true;
	assert_int_equal(limits_of("ovn-kubernetes", "nonexistent", &n).overhead, 78);
}

static void test_cilium_device_mtu_and_route_overheads(void **state)
{
	static const char *const host[] = { "eth0", "cilium_host", "cilium_vxlan" };
	struct node n = node_with("cilium_vxlan", true, false, "cilium_host", 9000);
	struct limits l;

	(void)state;
	assert_string_equal(detect("cilium", host, 3), "cilium");
	assert_string_equal(detect("unknown", host, 3), "cilium"); /* by cilium_host */
	/* node_config.h's MTU is the devices'; the routes take the tunnel's 50. */
	l = limits_of("cilium", "cilium", &n);
	assert_int_equal(l.expected_pod_mtu, 9000);
	assert_int_equal(l.overhead, 50);
	n = node_with("cilium_wg0", true, false, "cilium_host", 9000);
	assert_int_equal(limits_of("cilium", "cilium", &n).overhead, 80);
	/* A tunnel over an IPv6 underlay takes 20 bytes more. */
	n = node_with("cilium_geneve", true, true, "cilium_host", 9000);
	assert_int_equal(limits_of("cilium", "cilium", &n).overhead, 70);
	/* No node_config.h: the uplink's MTU. */
	n = node_with(NULL, false, false, "cilium_host", 1500);
	l = limits_of("cilium", "nonexistent", &n);
	assert_int_equal(l.expected_pod_mtu, n.uplink.mtu);
	assert_int_equal(l.overhead, 0);
}

/* Tunnel and encryption overheads add up; WireGuard's is 80 or 95 as
 * cilium_wg0 shows it; IPsec's 77 is its least. */
static void test_cilium_encryption_overheads(void **state)
{
	struct node n = node_with("cilium_wg0", true, false, "cilium_host", 1500);
	struct limits l;

	(void)state;
	/* cilium_wg0 at the device MTU - 80: Cilium before mid-2026. */
	n.tunnel.mtu = 1420;
	relink(&n);
	l = limits_of("cilium", "cilium-wireguard", &n);
	assert_int_equal(l.overhead, 80);
	assert_int_equal(l.path_mtu, 1420);
	assert_int_equal(l.tunnel_floor, 1420);
	assert_int_equal(findings_of("cilium", "cilium-wireguard", &n), 0);
	/* At - 95: Cilium since; its 1405 is the limit, and healthy. */
	n.tunnel.mtu = 1405;
	relink(&n);
	assert_int_equal(limits_of("cilium", "cilium-wireguard", &n).path_mtu, 1405);
	assert_int_equal(findings_of("cilium", "cilium-wireguard", &n), 0);
	/* Neither: the smaller overhead, and cilium_wg0 too small for what
	 * the Pods' routes let through is a finding. */
	n.tunnel.mtu = 1300;
	relink(&n);
	assert_int_equal(limits_of("cilium", "cilium-wireguard", &n).overhead, 80);
	assert_int_equal(findings_of("cilium", "cilium-wireguard", &n), 1);
	assert_int_equal(first_finding, MISMATCH_TUNNEL_MTU);
	/* With the tunnel too: both, cilium_wg0 carrying the tunnel's frames. */
	n.tunnel.mtu = 1420;
	relink(&n);
	add_link(&n, "cilium_vxlan", 1500);
	l = limits_of("cilium", "cilium-wireguard", &n);
	assert_int_equal(l.overhead, 130);
	assert_int_equal(l.path_mtu, 1370);
	assert_int_equal(l.tunnel_floor, 1420);
	assert_int_equal(findings_of("cilium", "cilium-wireguard", &n), 0);
	/* node_config.h says WireGuard before cilium_wg0 exists: 80. */
	n = node_with(NULL, false, false, "cilium_host", 1500);
	assert_int_equal(limits_of("cilium", "cilium-wireguard", &n).overhead, 80);
	/* IPsec: 77, plus the tunnel's 50, or 70 over an IPv6 underlay. */
	assert_int_equal(limits_of("cilium", "cilium-ipsec", &n).overhead, 77);
	n = node_with("cilium_vxlan", true, false, "cilium_host", 1500);
	n.tunnel.mtu = 1500;
	relink(&n);
	assert_int_equal(limits_of("cilium", "cilium-ipsec", &n).overhead, 127);
	assert_int_equal(findings_of("cilium", "cilium-ipsec", &n), 0);
	n.uplink_ipv6 = true;
	assert_int_equal(limits_of("cilium", "cilium-ipsec", &n).overhead, 147);
	/* Without encryption in node_config.h the tunnel alone counts. */
	assert_int_equal(limits_of("cilium", "cilium", &n).overhead, 70);
}

static void test_none_expects_nothing(void **state)
{
	struct node n = node_with(NULL, false, false, NULL, 0);
	struct limits l = limits_of("none", "nonexistent", &n);

	(void)state;
	assert_int_equal(l.expected_pod_mtu, 0);
	assert_int_equal(l.path_mtu, 1500);
	assert_null(cni_new("weave")); /* not a module: refused, not guessed */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_conf_file_decides),
		cmocka_unit_test(test_multus_is_followed),
		cmocka_unit_test(test_bad_or_unknown_config_falls_back_to_devices),
		cmocka_unit_test(test_canal_is_flannel),
		cmocka_unit_test(test_calico_mtu_sources_and_overheads),
		cmocka_unit_test(test_flannel_subnet_env_and_backends),
		cmocka_unit_test(test_aws_mtu_is_a_string),
		cmocka_unit_test(test_ovn_cnis_overheads),
		cmocka_unit_test(test_cilium_device_mtu_and_route_overheads),
		cmocka_unit_test(test_cilium_encryption_overheads),
		cmocka_unit_test(test_none_expects_nothing),
	};

	log_set_level(LOG_SILENT); /* the bad fixtures warn, by design */
	return cmocka_run_group_tests_name("cni", tests, NULL, NULL);
}
