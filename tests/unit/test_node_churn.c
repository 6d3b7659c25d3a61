// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A node whose Pods come and go: the model keeps gone Pods (their counters'
 * labels) but not without end. The Pods here are veths whose peer netns
 * (an nsid nobody has) cannot be read, which the model takes as it would a
 * Pod deleted meanwhile.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lib/log.h"
#include "node/node.h"

#define NO_SUCH_NSID 999999

static struct nl_link pod_link(int ifindex)
{
	struct nl_link l = {
		.ifindex = ifindex, .mtu = 1500, .peer_ifindex = 2, .peer_netnsid = NO_SUCH_NSID
	};

	snprintf(l.name, sizeof(l.name), "p%d", ifindex);
	snprintf(l.kind, sizeof(l.kind), "veth");
	return l;
}

static size_t gone_pods(const struct node *node)
{
	size_t i, n = 0;

	for (i = 0; i < node->n_pods; i++)
		n += node->pods[i].gone;
	return n;
}

static void test_gone_pods_are_kept_up_to_a_bound(void **state)
{
	const int churn = MG_MAX_IFACES + 100;
	struct node node = { .uplink = { .ifindex = 1 } };
	int i;

	(void)state;
	for (i = 0; i < churn; i++) {
		struct nl_link l = pod_link(100 + i);
		bool added;

		assert_non_null(node_upsert_pod(&node, &l, &added));
		assert_true(added);
		assert_non_null(node_pod_gone(&node, l.ifindex));
	}
	/* At most MG_MAX_IFACES gone Pods (their counter slots' lifetime),
	 * and the newest of them. */
	assert_true(gone_pods(&node) <= MG_MAX_IFACES);
	assert_true(gone_pods(&node) >= MG_MAX_IFACES - 1);
	assert_non_null(node_find_pod(&node, 100 + churn - 1));
	assert_null(node_find_pod(&node, 100));
	node_free(&node);
}

static void test_a_live_pod_is_never_dropped(void **state)
{
	struct node node = { .uplink = { .ifindex = 1 } };
	struct nl_link live = pod_link(50);
	bool added;
	int i;

	(void)state;
	assert_non_null(node_upsert_pod(&node, &live, &added));
	for (i = 0; i < MG_MAX_IFACES + 10; i++) {
		struct nl_link l = pod_link(100 + i);

		node_upsert_pod(&node, &l, &added);
		node_pod_gone(&node, l.ifindex);
	}
	assert_non_null(node_find_pod(&node, 50));
	assert_false(node_find_pod(&node, 50)->gone);
	node_free(&node);
}

/* A netkit Pod device (a CNI in netkit mode) is not taken for a veth Pod,
 * and is told about once, however many events it has. */
static void test_a_netkit_pod_is_told_not_watched(void **state)
{
	struct node node = { .uplink = { .ifindex = 1 } };
	struct nl_link nk = pod_link(60);
	bool added;
	int i;

	(void)state;
	snprintf(nk.kind, sizeof(nk.kind), "netkit");
	for (i = 0; i < 3; i++) {
		assert_null(node_upsert_pod(&node, &nk, &added));
		assert_false(added);
	}
	assert_int_equal(node.n_pods, 0);
	assert_int_equal(node.n_netkit_told, 1);
	assert_true(node_netkit_pod(&node, &nk));
	nk.peer_netnsid = -1; /* a netkit pair inside one netns: no Pod's */
	nk.ifindex = 61;
	assert_false(node_netkit_pod(&node, &nk));
	node_free(&node);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gone_pods_are_kept_up_to_a_bound),
		cmocka_unit_test(test_a_live_pod_is_never_dropped),
		cmocka_unit_test(test_a_netkit_pod_is_told_not_watched),
	};

	log_set_level(LOG_ERROR); /* every Pod end is unreadable, by design */
	return cmocka_run_group_tests_name("node churn", tests, NULL, NULL);
}
