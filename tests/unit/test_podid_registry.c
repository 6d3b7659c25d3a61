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
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "cni/cni.h"
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

/* A tick, and the tick that takes the read it asked for, if any. */
static void tick(struct podid *ids, unsigned long long now_ms)
{
	podid_tick(ids, &node, now_ms);
	podid_wait(ids);
	podid_tick(ids, &node, now_ms);
}

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
	tick(ids, 1005);
	assert_int_equal(podid_reads(ids), 1);
	/* All three are due: one read serves them. */
	tick(ids, 1010);
	assert_int_equal(podid_reads(ids), 2);
	/* Each backed off to 20 ms: nothing until then. */
	tick(ids, 1029);
	assert_int_equal(podid_reads(ids), 2);
	tick(ids, 1030);
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
	tick(ids, 10);
	name = podid_find(ids, &pods[1]);
	assert_non_null(name);
	assert_string_equal(name->pod.name, "web-0");
	assert_string_equal(name->source, "pod-map");
	/* The others stay unnamed and back off; the named one does not
	 * make a tick read again. */
	assert_null(podid_find(ids, &pods[0]));
	tick(ids, 29);
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
		tick(ids, (unsigned long long)t);
	assert_int_equal(podid_reads(ids), 1);
	assert_string_equal(podid_find(ids, &pods[2])->pod.name, "c");
	podid_free(ids);
	unlink(map);
}

/* An OVSDB that takes the connection and never answers: listening,
 * never accepting. Closing it resets the connection. */
static int hung_ovsdb(char *path, size_t size)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(path, size, "/tmp/mtg-hung-ovsdb-%d.sock", getpid());
	unlink(path);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	assert_int_equal(listen(fd, 8), 0);
	return fd;
}

static void test_a_hung_ovsdb_holds_no_tick(void **state)
{
	static const char *const one[][3] = { { "veth-a", "web", "front-0" } };
	char *map = fixture_pod_map(one, 1), sock[108];
	int server = hung_ovsdb(sock, sizeof(sock));
	struct podid_opts opts = { .cni_cache = "/nonexistent", .pod_map = map, .ovsdb = sock };
	struct cni *cni = cni_new("antrea");
	struct podid *ids = podid_new(&opts, cni_ovsdb_keys(cni));
	const struct pod_name *name;

	(void)state;
	assert_non_null(ids);
	/* The tick asks for a read and returns while OVSDB says nothing
	 * (it would for 2 s, its timeout, before the reader gives up). */
	podid_tick(ids, &node, 0);
	assert_true(podid_reading(ids));
	assert_null(podid_find(ids, &pods[0]));
	/* OVSDB goes away: the read ends, and the next source names the Pod. */
	close(server);
	podid_wait(ids);
	podid_tick(ids, &node, 1);
	assert_false(podid_reading(ids));
	name = podid_find(ids, &pods[0]);
	assert_non_null(name);
	assert_string_equal(name->pod.name, "front-0");
	assert_string_equal(name->source, "pod-map");
	podid_free(ids);
	cni_free(cni);
	unlink(sock);
	unlink(map);
}

static void test_a_read_in_flight_is_cancelled_at_exit(void **state)
{
	char *map = empty_map(), sock[108];
	int server = hung_ovsdb(sock, sizeof(sock));
	struct podid_opts opts = { .cni_cache = "/nonexistent", .pod_map = map, .ovsdb = sock };
	struct cni *cni = cni_new("antrea");
	struct podid *ids = podid_new(&opts, cni_ovsdb_keys(cni));

	(void)state;
	podid_tick(ids, &node, 0);
	assert_true(podid_reading(ids));
	/* The reader is waiting on OVSDB: freeing stops it (ASan checks
	 * that nothing it held is lost or used after). */
	podid_free(ids);
	cni_free(cni);
	close(server);
	unlink(sock);
	unlink(map);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_read_per_tick_for_every_unnamed_pod),
		cmocka_unit_test(test_a_late_name_is_found_at_the_next_read),
		cmocka_unit_test(test_a_named_node_costs_no_read),
		cmocka_unit_test(test_a_hung_ovsdb_holds_no_tick),
		cmocka_unit_test(test_a_read_in_flight_is_cancelled_at_exit),
	};

	log_set_level(LOG_ERROR); /* no CNI cache here, by design */
	return cmocka_run_group_tests_name("podid registry", tests, NULL, NULL);
}
