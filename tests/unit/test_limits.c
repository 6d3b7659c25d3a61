// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The one computation of every limit: the node model crossed with the CNI
 * module, on the incident's numbers (INCIDENT.md): the path MTU and where
 * it comes from, --path-mtu, the Pod limits, a bridged uplink.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <arpa/inet.h>
#include <string.h>

#include <cmocka.h>

#include "cni/cni.h"
#include "fixture_view.h"
#include "limits/limits.h"
#include "node/node.h"

static struct node plain_node(unsigned int uplink_mtu)
{
	return (struct node){ .uplink = { .ifindex = 3, .name = "ens192", .mtu = uplink_mtu } };
}

/* The limits of @node on Antrea with --mode @mode and --path-mtu @override. */
static struct limits antrea_limits(const struct node *node, const char *mode, const char *tunnel,
				   unsigned int override)
{
	struct cni *cni = cni_new("antrea");
	struct limits l = { 0 };

	assert_non_null(cni);
	fixture_cni_option(cni, "mode", mode);
	if (tunnel)
		fixture_cni_option(cni, "tunnel", tunnel);
	cni_resolve(cni, node, NULL);
	limits_compute(&l, node, cni, override);
	cni_free(cni);
	return l;
}

static void test_path_and_where_it_comes_from(void **state)
{
	struct node node = plain_node(1450);
	struct limits l;

	(void)state;
	l = antrea_limits(&node, "noEncap", NULL, 0);
	assert_int_equal(l.path_mtu, 1450);
	assert_string_equal(l.path_detail, "uplink ens192 MTU 1450");
	node.uplink.mtu = 1500;
	l = antrea_limits(&node, "encap", "geneve", 0);
	assert_int_equal(l.path_mtu, 1450);
	assert_int_equal(l.expected_pod_mtu, 1450);
	assert_string_equal(l.path_detail, "uplink ens192 MTU 1500 - 50 (encap geneve)");
}

static void test_path_mtu_override_wins(void **state)
{
	struct node node = plain_node(1500);
	struct limits l;

	(void)state;
	l = antrea_limits(&node, "encap", "geneve", 1400);
	assert_int_equal(l.path_mtu, 1400);
	assert_string_equal(l.path_detail, "--path-mtu 1400");
	/* What new Pods get does not move with it. */
	assert_int_equal(l.expected_pod_mtu, 1450);
}

/* The incident: the NIC at 1500, the OVS internal port dragged to 1450. */
static void test_bridged_uplink_takes_the_smaller(void **state)
{
	struct node node = plain_node(1450);
	struct limits l;

	(void)state;
	node.uplink_nic = (struct nl_link){ .ifindex = 2, .name = "ens192~", .mtu = 1500 };
	l = antrea_limits(&node, "noEncap", NULL, 0);
	assert_int_equal(l.transport_mtu, 1500);
	assert_int_equal(l.egress_mtu, 1450);
	assert_int_equal(l.path_mtu, 1450);
	assert_int_equal(l.expected_pod_mtu, 1500);
}

static void test_pod_limit_is_smaller_end(void **state)
{
	struct node node = plain_node(1450);
	struct pod_iface pod = { .host_mtu = 1500, .pod_mtu = 1450 };
	struct limits l = antrea_limits(&node, "noEncap", NULL, 0);
	struct pod_limits pl;

	(void)state;
	assert_int_equal(limits_veth_mtu(1500, 1450), 1450);
	assert_int_equal(limits_veth_mtu(1450, 1500), 1450);
	assert_int_equal(limits_veth_mtu(1500, 1500), 1500);
	/* An unreadable Pod end (0) falls back to the host end, and back. */
	assert_int_equal(limits_veth_mtu(1500, 0), 1500);
	assert_int_equal(limits_veth_mtu(0, 1450), 1450);
	pl = limits_for_pod(&l, &pod);
	assert_int_equal(pl.to_pod, 1450);
	assert_int_equal(pl.off_node, 1450);
}

static struct nl_route route4(const char *dst, unsigned char len, int oif, unsigned int mtu)
{
	struct nl_route r = {
		.dst = { .family = AF_INET }, .dst_len = len, .oif = oif, .mtu = mtu
	};

	inet_pton(AF_INET, dst, r.dst.addr);
	return r;
}

static void test_limits_per_destination(void **state)
{
	struct nl_link links[] = {
		{ .ifindex = 2, .name = "ens192~", .mtu = 1500 },
		{ .ifindex = 3, .name = "ens192", .mtu = 1450 },
		{ .ifindex = 4, .name = "rt0", .mtu = 1400 },
		{ .ifindex = 10, .name = "web-7d9f", .mtu = 1500 },
	};
	struct nl_route routes[] = {
		route4("0.0.0.0", 0, 3, 0),	  /* default by the uplink */
		route4("10.79.0.0", 24, 4, 0),	  /* a device of its own */
		route4("10.80.0.0", 16, 4, 1300), /* an mtu metric wins */
		route4("10.80.0.0", 16, 3, 0),	  /* the same prefix again: the first counts */
		route4("10.77.0.12", 32, 10, 0),  /* to a Pod: local, not a path */
		route4("10.81.0.0", 16, 99, 0),	  /* a device the model does not know */
	};
	struct pod_iface pod = { .ifindex = 10, .ifname = "web-7d9f", .host_mtu = 1500 };
	struct node node = plain_node(1450);
	struct limits l = { 0 };
	struct cni *cni = cni_new("antrea");

	(void)state;
	node.uplink.ifindex = 3;
	node.links = links;
	node.n_links = sizeof(links) / sizeof(links[0]);
	node.routes = routes;
	node.n_routes = sizeof(routes) / sizeof(routes[0]);
	node.pods = &pod;
	node.n_pods = 1;
	fixture_cni_option(cni, "mode", "noEncap");
	cni_resolve(cni, &node, NULL);
	limits_compute(&l, &node, cni, 0);
	assert_int_equal(l.n_routes, 3);
	assert_int_equal(l.routes[0].mtu, 1450); /* the uplink's */
	assert_int_equal(l.routes[1].mtu, 1400);
	assert_int_equal(l.routes[2].mtu, 1300);
	assert_non_null(strstr(l.routes[2].detail, "route 10.80.0.0/16 dev rt0 mtu 1300"));
	assert_int_equal(l.route_mtu_min, 1300);
	/* Antrea's bridging mode: the internal port's routes mean the NIC. */
	node.uplink_nic = links[0];
	limits_compute(&l, &node, cni, 0);
	assert_int_equal(l.routes[0].mtu, 1500);
	assert_non_null(strstr(l.routes[0].detail, "bridged by Open vSwitch to NIC ens192~"));
	assert_int_equal(l.routes[1].mtu, 1400); /* routed by the node: its own device */
	/* --path-mtu: no prefix has a limit of its own. */
	limits_compute(&l, &node, cni, 1400);
	assert_int_equal(l.n_routes, 0);
	limits_free(&l);
	cni_free(cni);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_and_where_it_comes_from),
		cmocka_unit_test(test_path_mtu_override_wins),
		cmocka_unit_test(test_bridged_uplink_takes_the_smaller),
		cmocka_unit_test(test_pod_limit_is_smaller_end),
		cmocka_unit_test(test_limits_per_destination),
	};

	return cmocka_run_group_tests_name("limits", tests, NULL, NULL);
}
