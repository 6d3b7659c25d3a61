// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Counter slots: who owns which entries of mg_counters, and what is reused. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "datapath/slots.h"

static int setup(void **state)
{
	struct slot_pool *pool = malloc(sizeof(*pool));

	if (!pool)
		return -1;
	slots_init(pool);
	*state = pool;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

static void test_an_interface_keeps_its_slot(void **state)
{
	struct slot_pool *pool = *state;
	bool fresh;
	int a, b;

	a = slots_claim(pool, 10, 1500, &fresh);
	assert_true(fresh);
	b = slots_claim(pool, 11, 1450, &fresh);
	assert_true(fresh);
	assert_int_not_equal(a, b);
	/* Claimed again (a refresh): same slot, counters carry on. */
	assert_int_equal(slots_claim(pool, 10, 1500, &fresh), a);
	assert_false(fresh);
}

static void test_a_pod_back_on_its_ifindex_keeps_counting(void **state)
{
	struct slot_pool *pool = *state;
	bool fresh;
	int a;

	a = slots_claim(pool, 10, 1500, &fresh);
	slots_retire(pool, 10);
	assert_int_equal(slots_claim(pool, 10, 1500, &fresh), a);
	assert_false(fresh);
}

static void test_retired_slots_keep_counts_until_the_pool_is_full(void **state)
{
	struct slot_pool *pool = *state;
	bool fresh;
	int i, first, second;

	first = slots_claim(pool, 1, 1500, &fresh);
	second = slots_claim(pool, 2, 1500, &fresh);
	slots_retire(pool, 2); /* retired first: reused first */
	slots_retire(pool, 1);
	/* Never-used slots go before retired ones. */
	for (i = 2; i < MG_MAX_IFACES; i++) {
		int s = slots_claim(pool, 100 + i, 1500, &fresh);

		assert_true(fresh);
		assert_int_not_equal(s, first);
		assert_int_not_equal(s, second);
	}
	assert_int_equal(slots_claim(pool, 50000, 1500, &fresh), second);
	assert_true(fresh);
	assert_int_equal(slots_claim(pool, 50001, 1500, &fresh), first);
	assert_true(fresh);
	/* Every slot live: the next interface is refused, not squeezed in. */
	assert_int_equal(slots_claim(pool, 50002, 1500, &fresh), -ENOSPC);
	/* The old owner of a reused slot comes back as a new interface. */
	slots_retire(pool, 50000);
	assert_int_equal(slots_claim(pool, 2, 1500, &fresh), second);
	assert_true(fresh);
}

static void test_pod_limit_min_follows_live_pods(void **state)
{
	struct slot_pool *pool = *state;
	bool fresh;

	assert_int_equal(slots_pod_limit_min(pool), UINT32_MAX);
	slots_claim(pool, 1, 0, &fresh); /* the uplink: not a Pod */
	assert_int_equal(slots_pod_limit_min(pool), UINT32_MAX);
	slots_claim(pool, 2, 1500, &fresh);
	slots_claim(pool, 3, 1450, &fresh);
	assert_int_equal(slots_pod_limit_min(pool), 1450);
	slots_retire(pool, 3);
	assert_int_equal(slots_pod_limit_min(pool), 1500);
	slots_claim(pool, 2, 1400, &fresh); /* its MTU changed */
	assert_int_equal(slots_pod_limit_min(pool), 1400);
}

static void note_retired(int ifindex, void *ctx)
{
	assert_int_equal(ifindex, 1);
	(*(int *)ctx)++;
}

static void test_sweep_retires_what_was_not_claimed_again(void **state)
{
	struct slot_pool *pool = *state;
	bool fresh;
	int old_uplink, retired = 0;

	old_uplink = slots_claim(pool, 1, 0, &fresh);
	slots_claim(pool, 2, 1450, &fresh);
	slots_sweep_begin(pool);
	slots_claim(pool, 9, 0, &fresh); /* a new uplink */
	slots_claim(pool, 2, 1450, &fresh);
	slots_sweep_end(pool, note_retired, &retired);
	assert_int_equal(pool->slots[old_uplink].state, SLOT_RETIRED);
	assert_int_equal(retired, 1); /* told, so the guard forgets its maps */
	assert_int_equal(slots_pod_limit_min(pool), 1450);
}

static void note_gone(int ifindex, void *ctx)
{
	assert_int_equal(ifindex, 30);
	(*(int *)ctx)++;
}

/* Taking over an earlier watch's maps: its interfaces keep their slots (and
 * counts), its gone ones stay retired, and new ones get slots after them. */
static void test_seeded_slots_carry_on_after_a_takeover(void **state)
{
	struct slot_pool *pool = *state;
	bool fresh;
	int gone = 0;

	slots_seed(pool, 0, 10, true, 0);    /* the uplink */
	slots_seed(pool, 1, 20, false, 0);   /* a Pod gone before the restart */
	slots_seed(pool, 2, 30, true, 1450); /* a Pod gone during it */
	slots_seed(pool, 3, 40, true, 1500);
	assert_int_equal(pool->used, 4);
	assert_int_equal(slots_pod_limit_min(pool), 1450);

	slots_sweep_begin(pool);
	assert_int_equal(slots_claim(pool, 10, 0, &fresh), 0);
	assert_false(fresh);
	assert_int_equal(slots_claim(pool, 40, 1500, &fresh), 3);
	assert_false(fresh);
	assert_int_equal(slots_claim(pool, 50, 1500, &fresh), 4); /* a new Pod */
	assert_true(fresh);
	slots_sweep_end(pool, note_gone, &gone);
	assert_int_equal(gone, 1);
	assert_int_equal(pool->slots[2].state, SLOT_RETIRED);
	assert_int_equal(pool->slots[1].state, SLOT_RETIRED);
	assert_int_equal(slots_pod_limit_min(pool), 1500);
	/* The one retired before the restart comes back on its slot. */
	assert_int_equal(slots_claim(pool, 20, 1500, &fresh), 1);
	assert_false(fresh);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_an_interface_keeps_its_slot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_pod_back_on_its_ifindex_keeps_counting,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_retired_slots_keep_counts_until_the_pool_is_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pod_limit_min_follows_live_pods, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sweep_retires_what_was_not_claimed_again,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_seeded_slots_carry_on_after_a_takeover, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("slots", tests, NULL, NULL);
}
