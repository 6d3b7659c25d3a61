// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "podid/ovsdb.h"

#include <errno.h>
#include <json-c/json.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "lib/text.h"

/* One select per table; the reply's "result" has one {"rows": [...]} each. */
static const char ports_request[] =
	"{\"id\":0,\"method\":\"transact\",\"params\":[\"Open_vSwitch\","
	"{\"op\":\"select\",\"table\":\"Port\",\"where\":[],"
	"\"columns\":[\"name\",\"external_ids\",\"interfaces\"]},"
	"{\"op\":\"select\",\"table\":\"Interface\",\"where\":[],"
	"\"columns\":[\"_uuid\",\"name\",\"type\",\"mtu\",\"mtu_request\",\"external_ids\"]}]}";

/* A reply larger than this is not an answer to our question. */
#define OVSDB_MAX_REPLY (16 << 20)

static struct json_object *get(struct json_object *obj, const char *key)
{
	struct json_object *v = NULL;

	json_object_object_get_ex(obj, key, &v);
	return v;
}

/* OVSDB's <atom> for a uuid: ["uuid", "..."]. */
static const char *uuid_of(struct json_object *atom)
{
	if (!json_object_is_type(atom, json_type_array) || json_object_array_length(atom) != 2 ||
	    strcmp(json_object_get_string(json_object_array_get_idx(atom, 0)), "uuid"))
		return NULL;
	return json_object_get_string(json_object_array_get_idx(atom, 1));
}

/* An optional integer column: an integer, or ["set", []] when empty. */
static int optional_int(struct json_object *v)
{
	return json_object_is_type(v, json_type_int) ? json_object_get_int(v) : 0;
}

/* external_ids: ["map", [["key", "value"], ...]]. */
static const char *map_get(struct json_object *map, const char *key)
{
	struct json_object *pairs;
	size_t i, n;

	if (!json_object_is_type(map, json_type_array) || json_object_array_length(map) != 2)
		return NULL;
	pairs = json_object_array_get_idx(map, 1);
	if (!json_object_is_type(pairs, json_type_array))
		return NULL;
	n = json_object_array_length(pairs);
	for (i = 0; i < n; i++) {
		struct json_object *pair = json_object_array_get_idx(pairs, i);

		if (json_object_is_type(pair, json_type_array) &&
		    json_object_array_length(pair) == 2 &&
		    !strcmp(json_object_get_string(json_object_array_get_idx(pair, 0)), key))
			return json_object_get_string(json_object_array_get_idx(pair, 1));
	}
	return NULL;
}

/* A port's first interface: a single uuid atom, or ["set", [atoms]]. */
static const char *first_interface(struct json_object *ifaces)
{
	struct json_object *set;

	if (uuid_of(ifaces))
		return uuid_of(ifaces);
	if (!json_object_is_type(ifaces, json_type_array) || json_object_array_length(ifaces) != 2)
		return NULL;
	set = json_object_array_get_idx(ifaces, 1);
	if (!json_object_is_type(set, json_type_array) || !json_object_array_length(set))
		return NULL;
	return uuid_of(json_object_array_get_idx(set, 0));
}

static struct json_object *find_interface(struct json_object *rows, const char *uuid)
{
	size_t i, n = json_object_array_length(rows);

	for (i = 0; uuid && i < n; i++) {
		struct json_object *row = json_object_array_get_idx(rows, i);
		const char *u = uuid_of(get(row, "_uuid"));

		if (u && !strcmp(u, uuid))
			return row;
	}
	return NULL;
}

/* Copies a string column, cleaned for printing (lib/text.h). */
static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
	text_clean(dst);
}

/* Antrea writes the Pod's ids on the Port; older versions on the Interface. */
static const char *external_id(struct json_object *port, struct json_object *iface, const char *key)
{
	const char *v = map_get(get(port, "external_ids"), key);

	if (!v && iface)
		v = map_get(get(iface, "external_ids"), key);
	return v;
}

static struct json_object *table_rows(struct json_object *result, size_t i)
{
	struct json_object *rows = get(json_object_array_get_idx(result, i), "rows");

	return json_object_is_type(rows, json_type_array) ? rows : NULL;
}

static int ports_from_reply(struct json_object *reply, const struct ovsdb_keys *keys,
			    struct ovs_ports *out)
{
	struct json_object *result, *port_rows, *iface_rows;
	size_t i, n;
	int err = -EINVAL;

	memset(out, 0, sizeof(*out));
	result = get(reply, "result");
	if (!json_object_is_type(result, json_type_array) || json_object_array_length(result) < 2)
		goto out;
	port_rows = table_rows(result, 0);
	iface_rows = table_rows(result, 1);
	if (!port_rows || !iface_rows)
		goto out;
	n = json_object_array_length(port_rows);
	out->ports = calloc(n ? n : 1, sizeof(*out->ports));
	if (!out->ports) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct json_object *port = json_object_array_get_idx(port_rows, i);
		struct json_object *iface =
			find_interface(iface_rows, first_interface(get(port, "interfaces")));
		struct ovs_port *p = &out->ports[out->n];

		if (!json_object_is_type(get(port, "name"), json_type_string))
			continue;
		copy(p->name, sizeof(p->name), json_object_get_string(get(port, "name")));
		copy(p->role, sizeof(p->role), external_id(port, iface, keys->role));
		copy(p->pod.ns, sizeof(p->pod.ns), external_id(port, iface, keys->pod_namespace));
		copy(p->pod.name, sizeof(p->pod.name), external_id(port, iface, keys->pod_name));
		if (iface) {
			copy(p->iface_type, sizeof(p->iface_type),
			     json_object_get_string(get(iface, "type")));
			p->mtu = optional_int(get(iface, "mtu"));
			p->mtu_request = optional_int(get(iface, "mtu_request"));
		}
		out->n++;
	}
	err = 0;
out:
	if (err)
		ovs_ports_free(out);
	return err;
}

int ovsdb_parse_ports_reply(const char *json, const struct ovsdb_keys *keys, struct ovs_ports *out)
{
	struct json_object *reply = json_tokener_parse(json);
	int err;

	memset(out, 0, sizeof(*out));
	if (!reply)
		return -EINVAL;
	err = ports_from_reply(reply, keys, out);
	json_object_put(reply);
	return err;
}

static long ms_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
}

/* Reads one JSON value from @fd within @timeout_ms, unless @cancel_fd
 * becomes readable first. */
static int read_reply(int fd, int timeout_ms, int cancel_fd, struct json_object **reply)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *obj = NULL;
	struct timespec start;
	char buf[8192];
	size_t total = 0;
	int err = 0;

	if (!tok)
		return -ENOMEM;
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (!obj) {
		struct pollfd pfd[2] = { { .fd = fd, .events = POLLIN },
					 { .fd = cancel_fd, .events = POLLIN } };
		long left = timeout_ms - ms_since(&start);
		ssize_t n;

		if (left <= 0 || poll(pfd, 2, (int)left) <= 0) {
			err = -ETIMEDOUT;
			break;
		}
		if (pfd[1].revents) {
			err = -ECANCELED;
			break;
		}
		n = read(fd, buf, sizeof(buf));
		if (n <= 0) {
			err = n < 0 ? -errno : -ECONNRESET;
			break;
		}
		total += (size_t)n;
		obj = json_tokener_parse_ex(tok, buf, (int)n);
		if (!obj && (json_tokener_get_error(tok) != json_tokener_continue ||
			     total > OVSDB_MAX_REPLY)) {
			err = -EBADMSG;
			break;
		}
	}
	*reply = obj;
	json_tokener_free(tok);
	return err;
}

/* Sends @request to the OVSDB at @socket_path and reads its reply. */
static int transact(const char *socket_path, int timeout_ms, int cancel_fd, const char *request,
		    struct json_object **reply)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	size_t len = strlen(request);
	int fd, err;

	*reply = NULL;
	if (strlen(socket_path) >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	strcpy(addr.sun_path, socket_path);
	/* Non-blocking: a server whose backlog is full refuses at once
	 * (EAGAIN) rather than holding us. */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    write(fd, request, len) != (ssize_t)len)
		err = -errno;
	else
		err = read_reply(fd, timeout_ms, cancel_fd, reply);
	close(fd);
	return err;
}

int ovsdb_read_ports(const char *socket_path, int timeout_ms, int cancel_fd,
		     const struct ovsdb_keys *keys, struct ovs_ports *out)
{
	struct json_object *reply = NULL;
	int err;

	memset(out, 0, sizeof(*out));
	err = transact(socket_path, timeout_ms, cancel_fd, ports_request, &reply);
	if (!err)
		err = ports_from_reply(reply, keys, out);
	if (!err)
		copy(out->socket, sizeof(out->socket), socket_path);
	json_object_put(reply);
	return err;
}

/* ["set", []]: OVSDB's empty optional value. */
static struct json_object *empty_set(void)
{
	struct json_object *set = json_object_new_array();

	json_object_array_add(set, json_object_new_string("set"));
	json_object_array_add(set, json_object_new_array());
	return set;
}

int ovsdb_set_mtu_request(const char *socket_path, int timeout_ms, const char *iface,
			  unsigned int mtu)
{
	struct json_object *req = json_object_new_object(), *params = json_object_new_array();
	struct json_object *op = json_object_new_object(), *where = json_object_new_array();
	struct json_object *cond = json_object_new_array(), *row = json_object_new_object();
	struct json_object *reply = NULL, *result, *first, *count;
	int err;

	json_object_array_add(cond, json_object_new_string("name"));
	json_object_array_add(cond, json_object_new_string("=="));
	json_object_array_add(cond, json_object_new_string(iface));
	json_object_array_add(where, cond);
	json_object_object_add(row, "mtu_request",
			       mtu ? json_object_new_int((int)mtu) : empty_set());
	json_object_object_add(op, "op", json_object_new_string("update"));
	json_object_object_add(op, "table", json_object_new_string("Interface"));
	json_object_object_add(op, "where", where);
	json_object_object_add(op, "row", row);
	json_object_array_add(params, json_object_new_string("Open_vSwitch"));
	json_object_array_add(params, op);
	json_object_object_add(req, "id", json_object_new_int(1));
	json_object_object_add(req, "method", json_object_new_string("transact"));
	json_object_object_add(req, "params", params);
	err = transact(socket_path, timeout_ms, -1,
		       json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN), &reply);
	json_object_put(req);
	if (err)
		return err;
	/* {"result": [{"count": 1}]}: one row changed; an "error" member
	 * in it, or a count of 0 (no such interface), is a refusal. */
	result = get(reply, "result");
	first = json_object_is_type(result, json_type_array) ? json_object_array_get_idx(result, 0)
							     : NULL;
	count = first ? get(first, "count") : NULL;
	if (!first || get(first, "error"))
		err = -EBADMSG;
	else if (!count || json_object_get_int(count) != 1)
		err = -ENODEV;
	json_object_put(reply);
	return err;
}

const struct ovs_port *ovs_find_port(const struct ovs_ports *ports, const char *name)
{
	size_t i;

	for (i = 0; ports && i < ports->n; i++) {
		if (!strcmp(ports->ports[i].name, name))
			return &ports->ports[i];
	}
	return NULL;
}

const struct ovs_port *ovs_find_by_role(const struct ovs_ports *ports, const char *role)
{
	size_t i;

	for (i = 0; ports && i < ports->n; i++) {
		if (!strcmp(ports->ports[i].role, role))
			return &ports->ports[i];
	}
	return NULL;
}

void ovs_ports_free(struct ovs_ports *ports)
{
	free(ports->ports);
	memset(ports, 0, sizeof(*ports));
}
