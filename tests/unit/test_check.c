// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The static audit on the incident's node, before and after the remedy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "limits/audit.h"
#include "report/audit_report.h"
#include "fixture_view.h"

/* The incident after the redeploy: bridged uplink, the OVS internal port
 * dragged down to the stale CoreDNS Pod's 1450, a new Pod at 1500. */
static struct pod_iface pods[2];
static struct node node;
static const char *const names[][3] = {
	{ "coredns--e5a5a3", "kube-system", "coredns-7c6" },
	{ "web-7d9f-c71b85", "default", "web-7d9" },
};
static char *pod_map;

/* Audits the node as Antrea with --mode @mode (and --@opt @value). */
static int audit(const char *mode, const char *opt, const char *value, struct check_report *r)
{
	struct cni *cni = cni_new("antrea");
	struct view v;
	int err;

	fixture_cni_option(cni, "mode", mode);
	if (opt)
		fixture_cni_option(cni, opt, value);
	fixture_view(&v, &node, cni, pod_map);
	err = check_node(&v, r);
	fixture_view_free(&v);
	return err;
}

static int setup(void **state)
{
	(void)state;
	fixture_incident(pods, &node);
	if (!pod_map)
		pod_map = fixture_pod_map(names, 2);
	return 0;
}

static const struct mismatch *find(const struct check_report *r, enum mismatch_kind kind,
				   const char *iface)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		if (r->items[i].kind == kind && !strcmp(r->items[i].iface, iface))
			return &r->items[i];
	}
	return NULL;
}

static void test_incident_names_the_port_the_stale_and_the_new_pod(void **state)
{
	struct check_report r;
	const struct mismatch *m;

	(void)state;
	assert_int_equal(audit("noEncap", NULL, NULL, &r), 0);
	assert_int_equal(r.expected_mtu, 1500); /* from the NIC, not the port */
	assert_int_equal(r.path_mtu, 1450);	/* the port holds it down */
	assert_int_equal(r.n, 3);

	m = find(&r, MISMATCH_UPLINK_PORT_BELOW_NIC, "ens192");
	assert_non_null(m);
	assert_non_null(strstr(m->cause, "stale Pods"));
	assert_non_null(strstr(m->remedy, "mtu_request=1500"));

	m = find(&r, MISMATCH_POD_BELOW_EXPECTED, "coredns--e5a5a3");
	assert_non_null(m);
	assert_true(m->restart_pod);
	assert_non_null(strstr(m->remedy, "kubectl -n kube-system delete pod coredns-7c6"));

	/* The new Pod is right; the port is what must change. */
	m = find(&r, MISMATCH_POD_ABOVE_PATH_MTU, "web-7d9f-c71b85");
	assert_non_null(m);
	assert_false(m->restart_pod);
	assert_int_equal(m->mtu, 1500);
	assert_int_equal(m->path_mtu, 1450);
	check_report_free(&r);
}

static void test_after_the_restart_it_is_consistent(void **state)
{
	struct check_report r;

	(void)state;
	pods[0].host_mtu = pods[0].pod_mtu = 1500;
	node.uplink.mtu = 1500; /* OVS recomputed its minimum */
	assert_int_equal(audit("noEncap", NULL, NULL, &r), 0);
	assert_int_equal(r.n, 0);
	check_report_free(&r);
}

static void test_unbridged_black_hole_restarts_the_pod(void **state)
{
	struct check_report r;
	const struct mismatch *m;

	(void)state;
	/* Encap on a plain 1500 uplink: a 1500 Pod (from noEncap days) is too big. */
	node.uplink_nic = (struct nl_link){ 0 };
	node.uplink.mtu = 1500;
	pods[0].host_mtu = pods[0].pod_mtu = 1450;
	assert_int_equal(audit("encap", "tunnel", "geneve", &r), 0);
	assert_int_equal(r.n, 1);
	m = find(&r, MISMATCH_POD_ABOVE_PATH_MTU, "web-7d9f-c71b85");
	assert_non_null(m);
	assert_true(m->restart_pod);
	assert_int_equal(m->expected_mtu, 1450);
	check_report_free(&r);
}

static void test_veth_ends_gateway_and_default_mtu(void **state)
{
	struct check_report r;

	(void)state;
	node.uplink_nic = (struct nl_link){ 0 };
	node.uplink.mtu = 1500;
	pods[0].host_mtu = 1500; /* Pod end stays 1450 */
	node.gateway = (struct nl_link){ .ifindex = 4, .name = "antrea-gw0", .mtu = 1450 };
	assert_int_equal(audit("noEncap", "default-mtu", "9000", &r), 0);
	assert_non_null(find(&r, MISMATCH_VETH_ENDS_DIFFER, "coredns--e5a5a3"));
	assert_non_null(find(&r, MISMATCH_GATEWAY_MTU, "antrea-gw0"));
	assert_non_null(find(&r, MISMATCH_DEFAULT_MTU_ABOVE_PATH, "ens192"));
	check_report_free(&r);
}

static void test_json_document_carries_the_contract(void **state)
{
	struct check_report r;
	struct json_object *o, *list, *m, *v, *restart;
	size_t i, n;
	bool saw_coredns = false;
	struct cni *cni = cni_new("antrea");
	struct view view;

	(void)state;
	fixture_cni_option(cni, "mode", "noEncap");
	fixture_view(&view, &node, cni, pod_map);
	assert_int_equal(check_node(&view, &r), 0);
	o = check_to_json(&r, &view);
	assert_true(json_object_object_get_ex(o, "consistent", &v));
	assert_false(json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(o, "mismatches", &list));
	n = json_object_array_length(list);
	assert_int_equal(n, 3);
	for (i = 0; i < n; i++) {
		struct json_object *pod;

		m = json_object_array_get_idx(list, i);
		assert_true(json_object_object_get_ex(m, "kind", &v));
		assert_true(json_object_object_get_ex(m, "iface", &v));
		assert_true(json_object_object_get_ex(m, "pod_mtu", &v));
		assert_true(json_object_object_get_ex(m, "path_mtu", &v));
		assert_true(json_object_object_get_ex(m, "pod", &pod));
		if (pod && json_object_object_get_ex(pod, "name", &v) &&
		    !strcmp(json_object_get_string(v), "coredns-7c6"))
			saw_coredns = true;
	}
	assert_true(saw_coredns);
	assert_true(json_object_object_get_ex(o, "restart", &restart));
	assert_int_equal(json_object_array_length(restart), 1);
	json_object_put(o);
	check_report_free(&r);
	fixture_view_free(&view);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_incident_names_the_port_the_stale_and_the_new_pod,
				       setup),
		cmocka_unit_test_setup(test_after_the_restart_it_is_consistent, setup),
		cmocka_unit_test_setup(test_unbridged_black_hole_restarts_the_pod, setup),
		cmocka_unit_test_setup(test_veth_ends_gateway_and_default_mtu, setup),
		cmocka_unit_test_setup(test_json_document_carries_the_contract, setup),
	};

	int failed = cmocka_run_group_tests_name("check", tests, NULL, NULL);

	if (pod_map)
		unlink(pod_map);
	return failed;
}
