// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fix's journal and apply without touching a real interface: a veth gone
 * between plan and apply is an error that changes and journals nothing; a
 * second fix is locked out; a journal that is not fix's is refused; what
 * is journalled reads back as written.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fix/apply.h"
#include "fix/journal.h"
#include "lib/log.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/mtuguard-unit-fix-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "%s/journal.json", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/lock", dir);
	unlink(path);
	return rmdir(dir);
}

static void test_a_veth_gone_since_the_plan_changes_nothing(void **state)
{
	struct fix_step step = { .kind = FIX_VETH,
				 .iface = "mtg-gone0",
				 .ifindex = 0x7ffffff0,
				 .peer_ifindex = 2,
				 .from_host = 1500,
				 .from_pod = 1500,
				 .to = 1450,
				 .reason = "pod_mtu_above_path_mtu" };
	struct fix_plan p = { .steps = &step, .n = 1 };
	struct fix_ovs ovs = { 0 };
	struct journal j;
	char path[128];

	(void)state;
	assert_int_equal(journal_open(dir, &j), 0);
	assert_int_equal(fix_apply(&p, &j, &ovs), -ENODEV);
	assert_false(step.done);
	assert_int_equal(j.n, 0);
	snprintf(path, sizeof(path), "%s/journal.json", dir);
	assert_int_not_equal(access(path, F_OK), 0);
	journal_close(&j);
}

static void test_a_second_fix_is_locked_out(void **state)
{
	struct journal a, b;

	(void)state;
	assert_int_equal(journal_open(dir, &a), 0);
	assert_int_equal(journal_open(dir, &b), -EBUSY);
	journal_close(&a);
	assert_int_equal(journal_open(dir, &b), 0);
	journal_close(&b);
}

static void test_the_journal_reads_back_and_refuses_edits(void **state)
{
	struct journal_entry e = { .kind = JOURNAL_VETH_POD,
				   .iface = "web-7d9f-c71b85",
				   .ifindex = 11,
				   .netns = "cni-web",
				   .named = true,
				   .pod = { .ns = "default", .name = "web-0" },
				   .before = 1500,
				   .after = 1450 };
	struct journal j;
	char path[128];
	FILE *f;

	(void)state;
	assert_int_equal(journal_open(dir, &j), 0);
	assert_int_equal(journal_append(&j, &e), 0);
	journal_close(&j);
	assert_int_equal(journal_open(dir, &j), 0);
	assert_int_equal(j.n, 1);
	assert_int_equal(j.v[0].kind, JOURNAL_VETH_POD);
	assert_string_equal(j.v[0].pod.name, "web-0");
	assert_int_equal(j.v[0].before, 1500);
	assert_int_equal(j.v[0].after, 1450);
	assert_int_equal(journal_truncate(&j, 0), 0);
	journal_close(&j);
	/* An MTU no interface can have: edited by hand. */
	snprintf(path, sizeof(path), "%s/journal.json", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"changes\": [{\"kind\": \"veth_pod_end\", \"time\": \"t\", \"iface\": \"x\", "
	      "\"ifindex\": 3, \"before\": 9, \"after\": 1450}]}",
	      f);
	fclose(f);
	assert_int_equal(journal_open(dir, &j), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_a_veth_gone_since_the_plan_changes_nothing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_second_fix_is_locked_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_the_journal_reads_back_and_refuses_edits,
						setup, teardown),
	};

	log_set_level(LOG_SILENT);
	return cmocka_run_group_tests_name("fix apply", tests, NULL, NULL);
}
