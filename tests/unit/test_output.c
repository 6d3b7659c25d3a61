// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Alerts and summaries: the JSON contract (README) and the text line. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "podid/registry.h"
#include "report/output.h"
#include "report/summary.h"
#include "fixture_view.h"

static struct pod_ref web = { .ns = "default", .name = "web-7d9f4c6b8-k8s2m" };

/* The incident's packet: a 1500-byte DF ICMP echo over a 1450 path. */
static struct mg_event incident_event(void)
{
	struct mg_event ev = {
		.flow = { .ifindex = 12,
			  .hook = MG_HOOK_POD_INGRESS,
			  .class = MG_CLASS_TOO_BIG,
			  .proto = IPPROTO_ICMP,
			  .sport = 8,
			  .dport = 0 },
		.pod_ifindex = 12,
		.len = 1500,
		.limit = 1450,
		.limit_source = MG_LIMIT_PATH_MTU,
		.flags = MG_EVENT_F_DF,
		.count = 37,
	};

	ev.flow.saddr.family = AF_INET;
	ev.flow.daddr.family = AF_INET;
	inet_pton(AF_INET, "10.77.0.12", ev.flow.saddr.addr);
	inet_pton(AF_INET, "10.77.0.100", ev.flow.daddr.addr);
	return ev;
}

static struct alert alert_for(const struct mg_event *ev, const struct pod_ref *pod)
{
	struct alert a = {
		.ev = ev,
		.iface = "web-7d9f-c71b85",
		.pod = { .iface = "web-7d9f-c71b85",
			 .pod = pod,
			 .netns = "mtg-pod-web",
			 .mtu = 1500 },
		.limit_detail = "path MTU: uplink ens192 MTU 1450",
		.when = { .tv_sec = 1764201600, .tv_nsec = 250000000 },
	};
	return a;
}

static const char *str_at(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("no key %s", key);
	return json_object_get_string(v);
}

static int64_t int_at(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("no key %s", key);
	return json_object_get_int64(v);
}

static void test_alert_json_carries_the_contract(void **state)
{
	struct mg_event ev = incident_event();
	struct alert a = alert_for(&ev, &web);
	struct json_object *o = alert_to_json(&a), *pod, *df;

	(void)state;
	assert_string_equal(str_at(o, "event"), "too_big");
	assert_true(json_object_object_get_ex(o, "pod", &pod));
	assert_string_equal(str_at(pod, "namespace"), web.ns);
	assert_string_equal(str_at(pod, "name"), web.name);
	assert_string_equal(str_at(o, "iface"), a.iface);
	assert_string_equal(str_at(o, "family"), "ipv4");
	assert_string_equal(str_at(o, "proto"), "icmp");
	assert_string_equal(str_at(o, "src"), "10.77.0.12");
	assert_string_equal(str_at(o, "dst"), "10.77.0.100");
	assert_int_equal(int_at(o, "len"), ev.len);
	assert_int_equal(int_at(o, "limit"), ev.limit);
	assert_int_equal(int_at(o, "count"), ev.count);
	assert_int_equal(int_at(o, "icmp_type"), 8);
	assert_string_equal(str_at(o, "limit_source"), "path_mtu");
	assert_string_equal(str_at(o, "time"), "2025-11-27T00:00:00.250Z");
	assert_true(json_object_object_get_ex(o, "df", &df));
	assert_true(json_object_get_boolean(df));
	json_object_put(o);
}

static void test_unnamed_pod_is_null_with_netns(void **state)
{
	struct mg_event ev = incident_event();
	struct alert a = alert_for(&ev, NULL);
	struct json_object *o = alert_to_json(&a), *pod;
	char line[1024];

	(void)state;
	assert_true(json_object_object_get_ex(o, "pod", &pod));
	assert_null(pod);
	assert_string_equal(str_at(o, "pod_netns"), "mtg-pod-web");
	json_object_put(o);
	alert_to_text(&a, line, sizeof(line));
	assert_non_null(strstr(line, "unnamed Pod in netns mtg-pod-web"));
}

static void test_alert_text_names_pod_sizes_and_count(void **state)
{
	struct mg_event ev = incident_event();
	struct alert a = alert_for(&ev, &web);
	char line[1024];

	(void)state;
	alert_to_text(&a, line, sizeof(line));
	assert_non_null(
		strstr(line, "Pod default/web-7d9f4c6b8-k8s2m (veth web-7d9f-c71b85, MTU 1500)"));
	assert_non_null(strstr(line, "sends 1500-byte DF ipv4 icmp 10.77.0.12 -> 10.77.0.100"));
	assert_non_null(strstr(line, "over the limit 1450 (path MTU: uplink ens192 MTU 1450)"));
	assert_non_null(strstr(line, ": 37 packets"));
	assert_null(strchr(line, '\n'));
}

static void test_gso_and_ports_in_text(void **state)
{
	struct mg_event ev = incident_event();
	struct alert a;
	char line[1024];

	(void)state;
	ev.flow.proto = IPPROTO_TCP;
	ev.flow.sport = 40000;
	ev.flow.dport = 5201;
	ev.flags |= MG_EVENT_F_GSO;
	ev.gso_size = 1448;
	ev.len = 1500;
	ev.count = 1;
	a = alert_for(&ev, &web);
	alert_to_text(&a, line, sizeof(line));
	assert_non_null(strstr(
		line, "1500-byte DF GSO-segment ipv4 tcp 10.77.0.12:40000 -> 10.77.0.100:5201"));
	assert_non_null(strstr(line, ": 1 packet"));
	assert_null(strstr(line, ": 1 packets"));
}

static void test_summary_rows_and_tally(void **state)
{
	struct alert_tally tally = {};
	struct mg_counters rows[2] = {
		{ .id = { .ifindex = 12, .hook = MG_HOOK_POD_INGRESS } },
		{ .id = { .ifindex = 3, .hook = MG_HOOK_UPLINK_INGRESS } },
	};
	struct pod_iface pod = { .ifindex = 12,
				 .ifname = "web-7d9f-c71b85",
				 .host_mtu = 1500,
				 .pod_mtu = 1500,
				 .netns = "mtg-pod-web" };
	static const char *const names[][3] = { { "web-7d9f-c71b85", "default",
						  "web-7d9f4c6b8-k8s2m" } };
	char *map = fixture_pod_map(names, 1);
	struct podid_opts opts = { .cni_cache = "/nonexistent", .pod_map = map };
	struct podid *ids = podid_new(&opts, NULL);
	struct node node = { .uplink = { .ifindex = 3, .name = "ens192" },
			     .pods = &pod,
			     .n_pods = 1 };
	struct summary_row *out;
	__u64 stats[MG_STAT_MAX] = { 2, 0, 0 };
	struct json_object *o, *list, *row, *packets;

	(void)state;
	assert_non_null(ids);
	podid_load(ids, &node, 0);
	rows[0].packets[MG_CLASS_TOO_BIG] = 5;
	assert_int_equal(tally_add(&tally, 12, MG_HOOK_POD_INGRESS, 3), 0);
	assert_int_equal(tally_add(&tally, 12, MG_HOOK_POD_INGRESS, 2), 0);
	assert_int_equal(summary_build(rows, 2, &node, ids, NULL, &tally, &out), 0);
	assert_string_equal(out[0].iface, "web-7d9f-c71b85");
	assert_string_equal(out[0].pod.pod->name, web.name);
	assert_int_equal(out[0].alerted, 5);
	assert_string_equal(out[1].iface, "ens192");
	assert_null(out[1].pod.pod);
	assert_int_equal(out[1].alerted, 0);

	o = summary_to_json(&(struct summary){ .rows = out, .n = 2, .stats = stats }, "summary");
	assert_string_equal(str_at(o, "event"), "summary");
	assert_int_equal(int_at(o, "samples"), 2);
	assert_true(json_object_object_get_ex(o, "interfaces", &list));
	row = json_object_array_get_idx(list, 0);
	assert_true(json_object_object_get_ex(row, "packets", &packets));
	assert_int_equal(int_at(packets, "too_big"), 5);
	assert_int_equal(int_at(row, "alerted"), 5);
	json_object_put(o);
	free(out);
	tally_free(&tally);
	podid_free(ids);
	unlink(map);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alert_json_carries_the_contract),
		cmocka_unit_test(test_unnamed_pod_is_null_with_netns),
		cmocka_unit_test(test_alert_text_names_pod_sizes_and_count),
		cmocka_unit_test(test_gso_and_ports_in_text),
		cmocka_unit_test(test_summary_rows_and_tally),
	};

	setenv("TZ", "UTC", 1);
	return cmocka_run_group_tests_name("output", tests, NULL, NULL);
}
