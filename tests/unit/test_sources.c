// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* antrea-agent.conf (YAML) and OVSDB replies (tests/fixtures). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cni/antrea_config.h"
#include "lib/log.h"
#include "podid/ovsdb.h"

#define FIXTURES "tests/fixtures"

static void test_noencap_bridging_config(void **state)
{
	struct antrea_config cfg;

	(void)state;
	assert_int_equal(antrea_config_load(FIXTURES "/antrea/noencap-bridging.conf", &cfg), 0);
	assert_int_equal(cfg.policy.mode, MODE_NOENCAP);
	assert_true(cfg.has_mode);
	assert_true(cfg.bridging);
	assert_string_equal(cfg.transport_iface, "ens192");
	assert_int_equal(cfg.policy.default_mtu, 0);
	assert_int_equal(policy_expected_pod_mtu(&cfg.policy, 1500), 1500);
}

static void test_encap_gre_ipsec_config(void **state)
{
	struct antrea_config cfg;

	(void)state;
	assert_int_equal(antrea_config_load(FIXTURES "/antrea/encap-gre-ipsec.conf", &cfg), 0);
	assert_int_equal(cfg.policy.mode, MODE_ENCAP);
	assert_int_equal(cfg.policy.tunnel, TUNNEL_GRE);
	assert_int_equal(cfg.policy.encryption, ENCRYPTION_IPSEC);
	/* "defaultMTU:" with no value keeps Antrea's default (derive). */
	assert_int_equal(cfg.policy.default_mtu, 0);
	assert_int_equal(policy_expected_pod_mtu(&cfg.policy, 1500), 1420);
}

static void test_unset_keys_are_antreas_defaults(void **state)
{
	struct antrea_config cfg;

	(void)state;
	assert_int_equal(antrea_config_load(FIXTURES "/antrea/defaults.conf", &cfg), 0);
	assert_false(cfg.has_mode);
	assert_int_equal(cfg.policy.mode, MODE_ENCAP);
	assert_int_equal(cfg.policy.tunnel, TUNNEL_GENEVE);
	assert_int_equal(policy_expected_pod_mtu(&cfg.policy, 1500), 1450);
}

static void test_bad_config_is_einval(void **state)
{
	struct antrea_config cfg;

	(void)state;
	assert_int_equal(antrea_config_load(FIXTURES "/antrea/bad-mode.conf", &cfg), -EINVAL);
	assert_int_equal(antrea_config_load(FIXTURES "/antrea/broken.yaml", &cfg), -EINVAL);
	assert_int_equal(antrea_config_load(FIXTURES "/antrea/missing.conf", &cfg), -ENOENT);
}

/* The keys Antrea's module reads its ports with. */
static const struct ovsdb_keys *antrea_keys;

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 1 << 16);

	assert_non_null(f);
	assert_non_null(buf);
	assert_true(fread(buf, 1, (1 << 16) - 1, f) > 0);
	fclose(f);
	return buf;
}

static void test_ovsdb_reply_yields_ports(void **state)
{
	char *json = read_file(FIXTURES "/ovsdb/ports-reply.json");
	const struct ovs_port *p;
	struct ovs_ports ports;

	(void)state;
	assert_int_equal(ovsdb_parse_ports_reply(json, antrea_keys, &ports), 0);
	assert_int_equal(ports.n, 5);
	p = ovs_find_port(&ports, "coredns--e5a5a3");
	assert_non_null(p);
	assert_string_equal(p->role, "container");
	assert_string_equal(p->pod.ns, "kube-system");
	assert_string_equal(p->pod.name, "coredns-7c6d8f5b9-x2vqp");
	assert_int_equal(p->mtu, 1450);
	assert_int_equal(p->mtu_request, 0);
	/* A port whose interfaces column is a set. */
	p = ovs_find_port(&ports, "ens192");
	assert_non_null(p);
	assert_string_equal(p->iface_type, "internal");
	assert_int_equal(p->mtu, 1450);
	/* An empty mtu, a set mtu_request. */
	p = ovs_find_by_role(&ports, "tunnel");
	assert_non_null(p);
	assert_string_equal(p->iface_type, "geneve");
	assert_int_equal(p->mtu, 0);
	assert_int_equal(p->mtu_request, 1450);
	/* Pod ids on the Interface, as older Antrea wrote them. */
	p = ovs_find_port(&ports, "old-style");
	assert_non_null(p);
	assert_string_equal(p->pod.name, "legacy-0");
	assert_null(ovs_find_port(&ports, "nope"));
	ovs_ports_free(&ports);
	free(json);
}

static void test_ovsdb_errors_and_garbage_are_einval(void **state)
{
	struct ovs_ports ports;

	(void)state;
	assert_int_equal(ovsdb_parse_ports_reply("{\"id\":0,\"result\":null,\"error\":\"unknown "
						 "database\"}",
						 antrea_keys, &ports),
			 -EINVAL);
	assert_int_equal(ovsdb_parse_ports_reply("HTTP/1.1 400 Bad Request", antrea_keys, &ports),
			 -EINVAL);
	assert_int_equal(
		ovsdb_parse_ports_reply("{\"result\":[{\"rows\":[]}]}", antrea_keys, &ports),
		-EINVAL);
	assert_int_equal(ports.n, 0);
}

static void test_ovsdb_missing_socket_is_enoent(void **state)
{
	struct ovs_ports ports;

	(void)state;
	assert_int_equal(ovsdb_read_ports("/nonexistent/db.sock", 100, -1, antrea_keys, &ports),
			 -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_noencap_bridging_config),
		cmocka_unit_test(test_encap_gre_ipsec_config),
		cmocka_unit_test(test_unset_keys_are_antreas_defaults),
		cmocka_unit_test(test_bad_config_is_einval),
		cmocka_unit_test(test_ovsdb_reply_yields_ports),
		cmocka_unit_test(test_ovsdb_errors_and_garbage_are_einval),
		cmocka_unit_test(test_ovsdb_missing_socket_is_enoent),
	};

	struct cni *antrea = cni_new("antrea");
	int failed;

	antrea_keys = cni_ovsdb_keys(antrea);
	failed = cmocka_run_group_tests_name("sources", tests, NULL, NULL);
	cni_free(antrea);
	return failed;
}
