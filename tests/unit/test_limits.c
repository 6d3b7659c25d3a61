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
	struct limits l;

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_and_where_it_comes_from),
		cmocka_unit_test(test_path_mtu_override_wins),
		cmocka_unit_test(test_bridged_uplink_takes_the_smaller),
		cmocka_unit_test(test_pod_limit_is_smaller_end),
	};

	return cmocka_run_group_tests_name("limits", tests, NULL, NULL);
}
