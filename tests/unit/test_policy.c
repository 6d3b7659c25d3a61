// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The MTU policy: path MTU per mode and tunnel, Pod limits, parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "policy.h"

struct path_case {
	const char *name;
	struct policy policy;
	unsigned int uplink_mtu;
	unsigned int want;
};

/* Antrea's numbers from INCIDENT.md: a 1500 uplink gives Geneve 1450, GRE 1458. */
static const struct path_case path_cases[] = {
	{ "noencap keeps the uplink mtu", { MODE_NOENCAP, TUNNEL_GENEVE, 0 }, 1500, 1500 },
	{ "noencap on the incident's dragged-down uplink", { MODE_NOENCAP, TUNNEL_GENEVE, 0 }, 1450,
	  1450 },
	{ "geneve deducts 50", { MODE_ENCAP, TUNNEL_GENEVE, 0 }, 1500, 1450 },
	{ "vxlan deducts 50", { MODE_ENCAP, TUNNEL_VXLAN, 0 }, 1500, 1450 },
	{ "gre deducts 42", { MODE_ENCAP, TUNNEL_GRE, 0 }, 1500, 1458 },
	{ "stt deducts nothing", { MODE_ENCAP, TUNNEL_STT, 0 }, 1500, 1500 },
	{ "geneve on a jumbo uplink", { MODE_ENCAP, TUNNEL_GENEVE, 0 }, 9000, 8950 },
	{ "override wins over noencap", { MODE_NOENCAP, TUNNEL_GENEVE, 1400 }, 1500, 1400 },
	{ "override wins over encap", { MODE_ENCAP, TUNNEL_GRE, 1300 }, 1500, 1300 },
	{ "an uplink smaller than the overhead gives 0", { MODE_ENCAP, TUNNEL_GENEVE, 0 }, 40, 0 },
};

static void test_path_mtu_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(path_cases) / sizeof(path_cases[0]); i++) {
		const struct path_case *c = &path_cases[i];
		unsigned int got = policy_path_mtu(&c->policy, c->uplink_mtu);

		if (got != c->want)
			fail_msg("%s: got %u, want %u", c->name, got, c->want);
	}
}

static void test_pod_limit_is_smaller_end(void **state)
{
	(void)state;
	assert_int_equal(policy_pod_limit(1500, 1450), 1450);
	assert_int_equal(policy_pod_limit(1450, 1500), 1450);
	assert_int_equal(policy_pod_limit(1500, 1500), 1500);
	/* An unreadable Pod end (0) falls back to the host end, and back. */
	assert_int_equal(policy_pod_limit(1500, 0), 1500);
	assert_int_equal(policy_pod_limit(0, 1450), 1450);
}

static void test_parse_mode_and_tunnel(void **state)
{
	enum traffic_mode mode = MODE_NOENCAP;
	enum tunnel_type tunnel = TUNNEL_GENEVE;

	(void)state;
	assert_int_equal(policy_parse_mode("encap", &mode), 0);
	assert_int_equal(mode, MODE_ENCAP);
	/* Antrea spells it noEncap in its config. */
	assert_int_equal(policy_parse_mode("noEncap", &mode), 0);
	assert_int_equal(mode, MODE_NOENCAP);
	assert_int_not_equal(policy_parse_mode("hybridish", &mode), 0);
	assert_int_equal(policy_parse_tunnel("gre", &tunnel), 0);
	assert_int_equal(tunnel, TUNNEL_GRE);
	assert_int_not_equal(policy_parse_tunnel("ipip", &tunnel), 0);
}

static void test_describe_path(void **state)
{
	struct policy encap = { MODE_ENCAP, TUNNEL_GENEVE, 0 };
	struct policy noencap = { MODE_NOENCAP, TUNNEL_GENEVE, 0 };
	struct policy override = { MODE_NOENCAP, TUNNEL_GENEVE, 1400 };
	char buf[128];

	(void)state;
	policy_describe_path(&noencap, "ens192", 1450, buf, sizeof(buf));
	assert_string_equal(buf, "uplink ens192 MTU 1450");
	policy_describe_path(&encap, "ens192", 1500, buf, sizeof(buf));
	assert_string_equal(buf, "uplink ens192 MTU 1500 - 50 (geneve)");
	policy_describe_path(&override, "ens192", 1500, buf, sizeof(buf));
	assert_string_equal(buf, "--path-mtu 1400");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_mtu_table),
		cmocka_unit_test(test_pod_limit_is_smaller_end),
		cmocka_unit_test(test_parse_mode_and_tunnel),
		cmocka_unit_test(test_describe_path),
	};

	return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
