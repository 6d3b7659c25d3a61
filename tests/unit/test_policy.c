// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Antrea's MTU arithmetic: the Pod MTU for every mode, tunnel and
 * encryption, the path MTU and parsing. Numbers from INCIDENT.md. (The
 * override, the Pod limits and the path's description are limits/'s:
 * test_limits.c.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cni/antrea_mtu.h"

#define UPLINK 1500

/* Expected Pod MTU on a 1500 uplink, [tunnel][encryption][ipv6], for the
 * modes that tunnel (encap, hybrid). Geneve/VXLAN 50, GRE 42, STT 0; +20 over
 * IPv6; IPsec +38; WireGuard 60 instead of the tunnel. */
static const unsigned int tunnelled[4][3][2] = {
	[TUNNEL_GENEVE] = { { 1450, 1430 }, { 1412, 1392 }, { 1440, 1420 } },
	[TUNNEL_VXLAN] = { { 1450, 1430 }, { 1412, 1392 }, { 1440, 1420 } },
	[TUNNEL_GRE] = { { 1458, 1438 }, { 1420, 1400 }, { 1440, 1420 } },
	[TUNNEL_STT] = { { 1500, 1480 }, { 1462, 1442 }, { 1440, 1420 } },
};

/* The modes that do not tunnel (noEncap, networkPolicyOnly): the tunnel type
 * does not matter, IPsec has nothing to wrap, WireGuard still costs 60. */
static const unsigned int untunnelled[3][2] = {
	{ 1500, 1500 },
	{ 1500, 1500 },
	{ 1440, 1420 },
};

static void test_every_mode_tunnel_and_encryption(void **state)
{
	static const enum traffic_mode modes[] = { MODE_NOENCAP, MODE_ENCAP, MODE_HYBRID,
						   MODE_NETWORK_POLICY_ONLY };
	size_t m;
	int t, e, v6, checked = 0;

	(void)state;
	for (m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		bool tunnels = modes[m] == MODE_ENCAP || modes[m] == MODE_HYBRID;

		for (t = 0; t < 4; t++)
			for (e = 0; e < 3; e++)
				for (v6 = 0; v6 < 2; v6++) {
					struct policy p = { .mode = modes[m],
							    .tunnel = (enum tunnel_type)t,
							    .encryption = (enum encryption_mode)e,
							    .ipv6 = v6 };
					unsigned int want =
						tunnels ? tunnelled[t][e][v6] : untunnelled[e][v6];
					unsigned int got = policy_expected_pod_mtu(&p, UPLINK);

					if (got != want)
						fail_msg("%s %s %s%s: Pod MTU %u, want %u",
							 policy_mode_name(p.mode),
							 policy_tunnel_name(p.tunnel),
							 policy_encryption_name(p.encryption),
							 v6 ? " ipv6" : "", got, want);
					/* Without defaultMTU, new Pods fit the path. */
					assert_int_equal(policy_path_mtu(&p, UPLINK), want);
					checked++;
				}
	}
	assert_int_equal(checked, 96);
}

static void test_incident_examples(void **state)
{
	struct policy geneve = { .mode = MODE_ENCAP, .tunnel = TUNNEL_GENEVE };
	struct policy geneve6 = { .mode = MODE_ENCAP, .tunnel = TUNNEL_GENEVE, .ipv6 = true };
	struct policy gre = { .mode = MODE_ENCAP, .tunnel = TUNNEL_GRE };
	struct policy ipsec = { .mode = MODE_ENCAP, .encryption = ENCRYPTION_IPSEC };
	struct policy wg = { .mode = MODE_NOENCAP, .encryption = ENCRYPTION_WIREGUARD };
	struct policy noencap = { .mode = MODE_NOENCAP };

	(void)state;
	assert_int_equal(policy_expected_pod_mtu(&geneve, 1500), 1450);
	assert_int_equal(policy_expected_pod_mtu(&geneve6, 1500), 1430);
	assert_int_equal(policy_expected_pod_mtu(&gre, 1500), 1458);
	assert_int_equal(policy_expected_pod_mtu(&ipsec, 1500), 1412);
	assert_int_equal(policy_expected_pod_mtu(&wg, 1500), 1440);
	assert_int_equal(policy_expected_pod_mtu(&noencap, 1500), 1500);
}

static void test_default_mtu_sets_pods_not_the_path(void **state)
{
	struct policy p = { .mode = MODE_NOENCAP, .default_mtu = 9000 };

	(void)state;
	assert_int_equal(policy_expected_pod_mtu(&p, 1500), 9000);
	assert_int_equal(policy_path_mtu(&p, 1500), 1500);
}

static void test_small_and_large_uplinks(void **state)
{
	struct policy geneve = { .mode = MODE_ENCAP, .tunnel = TUNNEL_GENEVE };

	(void)state;
	assert_int_equal(policy_path_mtu(&geneve, 9000), 8950);
	assert_int_equal(policy_path_mtu(&geneve, 40), 0);
}

static void test_parse_names(void **state)
{
	enum traffic_mode mode = MODE_NOENCAP;
	enum tunnel_type tunnel = TUNNEL_GENEVE;
	enum encryption_mode enc = ENCRYPTION_NONE;

	(void)state;
	assert_int_equal(policy_parse_mode("encap", &mode), 0);
	assert_int_equal(mode, MODE_ENCAP);
	/* Antrea spells it noEncap; the flag accepts any case. */
	assert_int_equal(policy_parse_mode("noEncap", &mode), 0);
	assert_int_equal(mode, MODE_NOENCAP);
	assert_int_equal(policy_parse_mode("noencap", &mode), 0);
	assert_int_equal(policy_parse_mode("networkPolicyOnly", &mode), 0);
	assert_int_equal(mode, MODE_NETWORK_POLICY_ONLY);
	assert_int_not_equal(policy_parse_mode("hybridish", &mode), 0);
	assert_int_equal(policy_parse_tunnel("gre", &tunnel), 0);
	assert_int_equal(tunnel, TUNNEL_GRE);
	assert_int_not_equal(policy_parse_tunnel("ipip", &tunnel), 0);
	assert_int_equal(policy_parse_encryption("wireGuard", &enc), 0);
	assert_int_equal(enc, ENCRYPTION_WIREGUARD);
	assert_int_not_equal(policy_parse_encryption("tls", &enc), 0);
}

static void test_describe_deduction(void **state)
{
	struct policy encap = { .mode = MODE_ENCAP, .tunnel = TUNNEL_GENEVE };
	struct policy encap6 = { .mode = MODE_ENCAP,
				 .tunnel = TUNNEL_VXLAN,
				 .ipv6 = true,
				 .encryption = ENCRYPTION_IPSEC };
	struct policy noencap = { .mode = MODE_NOENCAP };
	char buf[128];

	(void)state;
	policy_describe_deduction(&noencap, buf, sizeof(buf));
	assert_string_equal(buf, "");
	policy_describe_deduction(&encap, buf, sizeof(buf));
	assert_string_equal(buf, "encap geneve");
	policy_describe_deduction(&encap6, buf, sizeof(buf));
	assert_string_equal(buf, "encap vxlan, IPv6, IPsec");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_mode_tunnel_and_encryption),
		cmocka_unit_test(test_incident_examples),
		cmocka_unit_test(test_default_mtu_sets_pods_not_the_path),
		cmocka_unit_test(test_small_and_large_uplinks),
		cmocka_unit_test(test_parse_names),
		cmocka_unit_test(test_describe_deduction),
	};

	return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
