// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fix's plan on the incident's numbers: what it changes, to what, in which
 * order, and what it leaves (a port it cannot reach, a Pod that would lose
 * IPv6); a Pod filter that names no Pod is an error.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "fix/plan.h"
#include "fixture_view.h"
#include "lib/log.h"

static struct pod_iface pods[2];
static struct node node;
static const char *const names[][3] = {
	{ "coredns--e5a5a3", "kube-system", "coredns-7c6" },
	{ "web-7d9f-c71b85", "default", "web-7d9" },
};
static char *pod_map;

static int setup(void **state)
{
	(void)state;
	fixture_incident(pods, &node);
	/* Where fix would reach the Pod ends. */
	pods[0].peer_ifindex = pods[1].peer_ifindex = 2;
	pods[0].netnsid = 1;
	pods[1].netnsid = 2;
	snprintf(pods[0].netns, sizeof(pods[0].netns), "cni-dns");
	snprintf(pods[1].netns, sizeof(pods[1].netns), "cni-web");
	if (!pod_map)
		pod_map = fixture_pod_map(names, 2);
	return 0;
}

/* The uplink not bridged, at @mtu (no port for OVS to drag down). */
static void plain_uplink(unsigned int mtu)
{
	node.uplink_nic = (struct nl_link){ 0 };
	node.uplink.mtu = mtu;
}

/* The plan for the node as Antrea in @mode, with @pods_only as --pod. */
static int plan(const char *mode, const char *const *pods_only, size_t n, struct fix_plan *p)
{
	struct cni *cni = cni_new("antrea");
	struct fix_filter filter = { .pods = pods_only, .n = n };
	struct check_report r;
	struct view v;
	int err;

	fixture_cni_option(cni, "mode", mode);
	fixture_view(&v, &node, cni, pod_map);
	assert_int_equal(check_node(&v, &r), 0);
	err = fix_plan_build(&v, &r, &filter, p);
	check_report_free(&r);
	fixture_view_free(&v);
	return err;
}

static void test_incident_raises_the_stale_pod_and_leaves_the_new_one(void **state)
{
	struct fix_plan p;

	(void)state;
	assert_int_equal(plan("noEncap", NULL, 0, &p), 0);
	/* Once CoreDNS no longer holds the port down, the path is the NIC's. */
	assert_int_equal(p.path_after, 1500);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.steps[0].kind, FIX_VETH);
	assert_string_equal(p.steps[0].iface, "coredns--e5a5a3");
	assert_string_equal(p.steps[0].pod.name, "coredns-7c6");
	assert_int_equal(p.steps[0].from_pod, 1450);
	assert_int_equal(p.steps[0].to, 1500);
	assert_false(fix_step_lowers(&p.steps[0]));
	assert_string_equal(p.steps[0].reason, "pod_mtu_below_expected");
	/* Without OVSDB the port cannot be pinned: said, not guessed. */
	assert_int_equal(p.n_left, 1);
	assert_int_equal(p.left[0].kind, MISMATCH_UPLINK_PORT_BELOW_NIC);
	assert_non_null(strstr(p.left[0].why, "OVSDB"));
	fix_plan_free(&p);
}

static void test_lowerings_come_before_raisings(void **state)
{
	struct fix_plan p;

	(void)state;
	/* A plain 1500 uplink, a stale 1450 Pod and one at 1600. */
	plain_uplink(1500);
	pods[1].host_mtu = pods[1].pod_mtu = 1600;
	assert_int_equal(plan("noEncap", NULL, 0, &p), 0);
	assert_int_equal(p.n, 2);
	assert_string_equal(p.steps[0].iface, "web-7d9f-c71b85");
	assert_true(fix_step_lowers(&p.steps[0]));
	assert_int_equal(p.steps[0].to, 1500);
	assert_string_equal(p.steps[1].iface, "coredns--e5a5a3");
	assert_int_equal(p.steps[1].to, 1500);
	fix_plan_free(&p);
}

static void test_a_pod_with_ipv6_is_not_lowered_below_1280(void **state)
{
	struct fix_plan p;

	(void)state;
	plain_uplink(1200);
	pods[0].host_mtu = pods[0].pod_mtu = 1200;
	pods[1].addrs[0].family = AF_INET6;
	pods[1].n_addrs = 1;
	assert_int_equal(plan("noEncap", NULL, 0, &p), 0);
	assert_int_equal(p.n, 0);
	assert_int_equal(p.n_left, 1);
	assert_string_equal(p.left[0].iface, "web-7d9f-c71b85");
	assert_non_null(strstr(p.left[0].why, "IPv6"));
	fix_plan_free(&p);
}

static void test_the_pod_filter(void **state)
{
	static const char *const dns[] = { "kube-system/coredns-7c6" };
	static const char *const nope[] = { "default/nope" };
	struct fix_plan p;

	(void)state;
	plain_uplink(1500);
	pods[1].host_mtu = pods[1].pod_mtu = 1600;
	assert_int_equal(plan("noEncap", dns, 1, &p), 0);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.steps[0].iface, "coredns--e5a5a3");
	fix_plan_free(&p);
	assert_int_equal(plan("noEncap", nope, 1, &p), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_incident_raises_the_stale_pod_and_leaves_the_new_one,
				       setup),
		cmocka_unit_test_setup(test_lowerings_come_before_raisings, setup),
		cmocka_unit_test_setup(test_a_pod_with_ipv6_is_not_lowered_below_1280, setup),
		cmocka_unit_test_setup(test_the_pod_filter, setup),
	};
	int ret;

	log_set_level(LOG_SILENT);
	ret = cmocka_run_group_tests_name("fix plan", tests, NULL, NULL);
	unlink(pod_map);
	return ret;
}
