// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The Pod name registry: the sources are read once per tick at most,
 * however many Pods are unnamed, each unnamed Pod backs off on its own,
 * and a name that arrives late (the CNI writes its cache entry after the
 * veth) is picked up at the next read. Time is given, not waited for.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture_view.h"
#include "lib/log.h"
#include "node/node.h"
#include "podid/registry.h"

static struct pod_iface pods[3] = {
	{ .ifindex = 10, .ifname = "veth-a" },
	{ .ifindex = 11, .ifname = "veth-b" },
	{ .ifindex = 12, .ifname = "veth-c" },
};
static struct node node = { .pods = pods, .n_pods = 3 };

/* An empty Pod map: a source that knows nobody yet. */
static char *empty_map(void)
{
	return fixture_pod_map(NULL, 0);
}

static void test_one_read_per_tick_for_every_unnamed_pod(void **state)
{
	char *map = empty_map();
	struct podid_opts opts = { .cni_cache = "/nonexistent", .pod_map = map };
	struct podid *ids = podid_new(&opts, NULL);

	(void)state;
	assert_non_null(ids);
	podid_load(ids, &node, 1000);
	assert_int_equal(podid_reads(ids), 1);
	assert_null(podid_find(ids, &pods[0]));
	/* Not due yet: no read at all. */
	podid_tick(ids, &node, 1005);
	assert_int_equal(podid_reads(ids), 1);
	/* All three are due: one read serves them. */
	podid_tick(ids, &node, 1010);
	assert_int_equal(podid_reads(ids), 2);
	/* Each backed off to 20 ms: nothing until then. */
	podid_tick(ids, &node, 1029);
	assert_int_equal(podid_reads(ids), 2);
	podid_tick(ids, &node, 1030);
	assert_int_equal(podid_reads(ids), 3);
	podid_free(ids);
	unlink(map);
}

static void test_a_late_name_is_found_at_the_next_read(void **state)
{
	static const char *const late[][3] = { { "veth-b", "default", "web-0" } };
	char *map = empty_map();
	struct podid_opts opts = { .cni_cache = "/nonexistent", .pod_map = map };
	struct podid *ids = podid_new(&opts, NULL);
	const struct pod_name *name;

	(void)state;
	assert_non_null(ids);
	podid_load(ids, &node, 0);
	assert_null(podid_find(ids, &pods[1]));
	/* The CNI writes the entry after the veth came. */
	fixture_write_pod_map(map, late, 1);
	podid_tick(ids, &node, 10);
	name = podid_find(ids, &pods[1]);
	assert_non_null(name);
	assert_string_equal(name->pod.name, "web-0");
	assert_string_equal(name->source, "pod-map");
	/* The others stay unnamed and back off; the named one does not
	 * make a tick read again. */
	assert_null(podid_find(ids, &pods[0]));
	podid_tick(ids, &node, 29);
	assert_int_equal(podid_reads(ids), 2);
	podid_free(ids);
	unlink(map);
}

static void test_a_named_node_costs_no_read(void **state)
{
	static const char *const all[][3] = {
		{ "veth-a", "ns", "a" },
		{ "veth-b", "ns", "b" },
		{ "veth-c", "ns", "c" },
	};
	char *map = fixture_pod_map(all, 3);
	struct podid_opts opts = { .cni_cache = "/nonexistent", .pod_map = map };
	struct podid *ids = podid_new(&opts, NULL);
	int t;

	(void)state;
	assert_non_null(ids);
	podid_load(ids, &node, 0);
	for (t = 1; t < 100000; t += 997)
		podid_tick(ids, &node, (unsigned long long)t);
	assert_int_equal(podid_reads(ids), 1);
	assert_string_equal(podid_find(ids, &pods[2])->pod.name, "c");
	podid_free(ids);
	unlink(map);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_read_per_tick_for_every_unnamed_pod),
		cmocka_unit_test(test_a_late_name_is_found_at_the_next_read),
		cmocka_unit_test(test_a_named_node_costs_no_read),
	};

	log_set_level(LOG_ERROR); /* no CNI cache here, by design */
	return cmocka_run_group_tests_name("podid registry", tests, NULL, NULL);
}
