// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Naming Pods from the libcni result cache (fixtures in tests/fixtures/cni). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/log.h"
#include "podid/podid.h"

#define FIXTURES "tests/fixtures/cni"

static void test_antrea_entry_names_the_pod(void **state)
{
	struct pod_table cache = {};
	const struct pod_ref *pod;

	(void)state;
	assert_int_equal(cni_cache_load(FIXTURES, &cache), 0);
	pod = pod_table_find(&cache, "coredns--e5a5a3");
	assert_non_null(pod);
	assert_string_equal(pod->ns, "kube-system");
	assert_string_equal(pod->name, "coredns-7c6d8f5b9-x2vqp");
	assert_string_equal(pod->netns, "/var/run/netns/cni-8d3c");
	pod_table_free(&cache);
}

static void test_other_cni_entry_names_the_pod(void **state)
{
	struct pod_table cache = {};
	const struct pod_ref *pod;

	(void)state;
	assert_int_equal(cni_cache_load(FIXTURES, &cache), 0);
	/* An empty "sandbox" marks the host side as well as a missing one. */
	pod = pod_table_find(&cache, "cali1a2b3c4d5e6");
	assert_non_null(pod);
	assert_string_equal(pod->ns, "shop");
	assert_string_equal(pod->name, "web-0");
	pod_table_free(&cache);
}

static void test_malformed_entries_are_skipped(void **state)
{
	struct pod_table cache = {};

	(void)state;
	/* Two good files; the broken, kindless, argless and sandbox-only ones
	 * are skipped with a warning, not fatal. */
	assert_int_equal(cni_cache_load(FIXTURES, &cache), 0);
	assert_int_equal(cache.n, 2);
	assert_null(pod_table_find(&cache, "vethx"));
	assert_null(pod_table_find(&cache, "vethy"));
	assert_null(pod_table_find(&cache, "eth0"));
	pod_table_free(&cache);
}

static void test_each_malformed_file_is_einval(void **state)
{
	static const char *const bad[] = {
		FIXTURES "/results/broken-3333-eth0",
		FIXTURES "/results/nokind-4444-eth0",
		FIXTURES "/results/noargs-5555-eth0",
		FIXTURES "/results/sandboxonly-6666-eth0",
	};
	struct pod_table cache = {};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(cni_cache_parse_file(bad[i], &cache), -EINVAL);
	assert_int_equal(cache.n, 0);
}

static void test_missing_directory_is_enoent(void **state)
{
	struct pod_table cache = {};

	(void)state;
	assert_int_equal(cni_cache_load("tests/fixtures/no-such-dir", &cache), -ENOENT);
	assert_int_equal(cache.n, 0);
	assert_null(pod_table_find(&cache, "coredns--e5a5a3"));
}

/* Copies @from into @to, padded with spaces to @size bytes (still JSON). */
static void copy_padded(const char *from, const char *to, size_t size)
{
	FILE *in = fopen(from, "r"), *out = fopen(to, "w");
	size_t n = 0;
	int c;

	assert_non_null(in);
	assert_non_null(out);
	while ((c = fgetc(in)) != EOF && ++n)
		fputc(c, out);
	while (n++ < size)
		fputc(' ', out);
	fclose(in);
	fclose(out);
}

/* A FIFO (it would block a plain open) and an entry past the bound are
 * skipped with a warning; the good entry beside them is still read. */
static void test_fifo_and_oversized_entries_are_skipped(void **state)
{
	char dir[] = "/tmp/mtuguard-unit-cache-XXXXXX", path[128], good[128];
	struct pod_table cache = {};

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/results", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(good, sizeof(good), "%s/results/antrea-1-eth0", dir);
	copy_padded(FIXTURES
		    "/results/"
		    "antrea-1111111111111111111111111111111111111111111111111111111111111111-eth0",
		    good, 0);
	snprintf(path, sizeof(path), "%s/results/huge-eth0", dir);
	copy_padded(FIXTURES
		    "/results/"
		    "antrea-1111111111111111111111111111111111111111111111111111111111111111-eth0",
		    path, CNI_CACHE_ENTRY_MAX + 1);
	snprintf(path, sizeof(path), "%s/results/fifo-eth0", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(cni_cache_load(dir, &cache), 0);
	assert_int_equal(cache.n, 1); /* the good one; the huge copy is not read */
	assert_non_null(pod_table_find(&cache, "coredns--e5a5a3"));
	pod_table_free(&cache);
	unlink(path);
	snprintf(path, sizeof(path), "%s/results/huge-eth0", dir);
	unlink(path);
	unlink(good);
	snprintf(path, sizeof(path), "%s/results", dir);
	rmdir(path);
	rmdir(dir);
}

/* Each way an entry is wrong has its own error, and so its own words. */
static void test_each_fault_has_its_own_error(void **state)
{
	char dir[] = "/tmp/mtuguard-unit-cache-XXXXXX", path[160];
	struct pod_table cache = {};
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/long-eth0", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f,
		"{\"kind\":\"cniCacheV1\",\"cniArgs\":[[\"K8S_POD_NAMESPACE\","
		"\"%070d\"],[\"K8S_POD_NAME\",\"web-0\"]],\"result\":{\"interfaces\":"
		"[{\"name\":\"veth1\"}]}}",
		0);
	fclose(f);
	assert_int_equal(cni_cache_parse_file(path, &cache), -ENAMETOOLONG);
	unlink(path);
	snprintf(path, sizeof(path), "%s/adir-eth0", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(cni_cache_parse_file(path, &cache), -EISDIR);
	rmdir(path);
	assert_int_equal(cache.n, 0);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_antrea_entry_names_the_pod),
		cmocka_unit_test(test_other_cni_entry_names_the_pod),
		cmocka_unit_test(test_malformed_entries_are_skipped),
		cmocka_unit_test(test_each_malformed_file_is_einval),
		cmocka_unit_test(test_missing_directory_is_enoent),
		cmocka_unit_test(test_fifo_and_oversized_entries_are_skipped),
		cmocka_unit_test(test_each_fault_has_its_own_error),
	};

	log_set_level(LOG_ERROR); /* the skipped fixtures warn, by design */
	return cmocka_run_group_tests_name("podid", tests, NULL, NULL);
}
