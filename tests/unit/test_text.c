// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Names from outside made safe to print: control characters and invalid
 * UTF-8 out (a terminal escape, a Prometheus scrape Prometheus would drop),
 * valid UTF-8 kept, a shell word kept one word; and a hostile libcni cache
 * entry arriving that way in the Pod table.
 */
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
#include "lib/text.h"
#include "podid/podid.h"

static void test_control_and_invalid_bytes_are_replaced(void **state)
{
	char esc[] = "web\x1b[2J\x1b]0;owned\x07",
	     bad[] = "a\xff\xfe"
		     "b",
	     overlong[] = "\xc0\xaf", c1[] = "x\xc2\x9by", surrogate[] = "\xed\xa0\x80",
	     cut[] = "ab\xe4\xb8";
	char good[] = "p\xc3\xb6"
		      "d-\xe5\x90\x8d";

	(void)state;
	assert_true(text_clean(esc));
	assert_string_equal(esc, "web?[2J?]0;owned?");
	assert_true(text_clean(bad));
	assert_string_equal(bad, "a??b");
	assert_true(text_clean(overlong));
	assert_string_equal(overlong, "??");
	assert_true(text_clean(c1));
	assert_string_equal(c1, "x??y");
	assert_true(text_clean(surrogate));
	assert_true(text_clean(cut));
	assert_string_equal(cut, "ab??");
	/* Valid UTF-8 (a Pod name is ASCII, but a netns name need not be). */
	assert_false(text_clean(good));
	assert_string_equal(good, "p\xc3\xb6"
				  "d-\xe5\x90\x8d");
}

static void test_shell_words(void **state)
{
	char out[128];

	(void)state;
	text_shell_word("coredns-7c6d8f5b9-x2vqp", out, sizeof(out));
	assert_string_equal(out, "coredns-7c6d8f5b9-x2vqp");
	text_shell_word("$(rm -rf /)", out, sizeof(out));
	assert_string_equal(out, "'$(rm -rf /)'");
	text_shell_word("it's", out, sizeof(out));
	assert_string_equal(out, "'it'\\''s'");
	text_shell_word("", out, sizeof(out));
	assert_string_equal(out, "''");
	text_shell_word("$(too long)", out, 6);
	assert_string_equal(out, "");
}

/* A cache entry whose names carry escapes, invalid bytes and a NUL. */
static void test_hostile_cache_entry(void **state)
{
	char dir[] = "/tmp/mtuguard-unit-hostile-XXXXXX", path[128];
	struct pod_table cache = {};
	const struct pod_ref *pod;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/results", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/results/evil-1-eth0", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"kind\": \"cniCacheV1\", \"cniArgs\": [[\"K8S_POD_NAMESPACE\", \"ns\\u001b[2J\"],"
	      " [\"K8S_POD_NAME\", \"web\\u0007$(id)\"]], \"result\": {\"interfaces\":"
	      " [{\"name\": \"vethevil\"}]}}",
	      f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/results/nul-2-eth0", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"kind\": \"cniCacheV1\", \"cniArgs\": [[\"K8S_POD_NAMESPACE\", \"kube-system\"],"
	      " [\"K8S_POD_NAME\", \"coredns\\u0000-other\"]], \"result\": {\"interfaces\":"
	      " [{\"name\": \"vethnul\"}]}}",
	      f);
	fclose(f);
	assert_int_equal(cni_cache_load(dir, &cache), 0);
	pod = pod_table_find(&cache, "vethevil");
	assert_non_null(pod);
	assert_string_equal(pod->ns, "ns?[2J");
	assert_string_equal(pod->name, "web?$(id)");
	/* A NUL inside a name: the entry is not taken (it would name
	 * "coredns" instead). */
	assert_null(pod_table_find(&cache, "vethnul"));
	pod_table_free(&cache);
	unlink(path);
	snprintf(path, sizeof(path), "%s/results/evil-1-eth0", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/results", dir);
	rmdir(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_control_and_invalid_bytes_are_replaced),
		cmocka_unit_test(test_shell_words),
		cmocka_unit_test(test_hostile_cache_entry),
	};

	log_set_level(LOG_SILENT);
	return cmocka_run_group_tests_name("text", tests, NULL, NULL);
}
