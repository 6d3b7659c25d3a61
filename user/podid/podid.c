// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "podid/podid.h"

#include <dirent.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/array.h"
#include "lib/json_field.h"
#include "lib/log.h"
#include "lib/text.h"
#include "lib/nodefile.h"

/* cniArgs is a list of [key, value] pairs. */
static const char *cni_arg(struct json_object *args, const char *key)
{
	size_t i, n;

	if (!json_object_is_type(args, json_type_array))
		return NULL;
	n = json_object_array_length(args);
	for (i = 0; i < n; i++) {
		struct json_object *pair = json_object_array_get_idx(args, i);
		struct json_object *k, *v;

		if (!json_object_is_type(pair, json_type_array) ||
		    json_object_array_length(pair) != 2)
			continue;
		k = json_object_array_get_idx(pair, 0);
		v = json_object_array_get_idx(pair, 1);
		if (json_object_is_type(k, json_type_string) &&
		    json_object_is_type(v, json_type_string) &&
		    !strcmp(json_object_get_string(k), key) &&
		    (size_t)json_object_get_string_len(v) == strlen(json_object_get_string(v)))
			return json_object_get_string(v);
	}
	return NULL;
}

/* The host-side interface: the result entry with no (or an empty) sandbox. */
static const char *host_ifname(struct json_object *result)
{
	struct json_object *ifaces;
	size_t i, n;

	if (!json_object_object_get_ex(result, "interfaces", &ifaces) ||
	    !json_object_is_type(ifaces, json_type_array))
		return NULL;
	n = json_object_array_length(ifaces);
	for (i = 0; i < n; i++) {
		struct json_object *iface = json_object_array_get_idx(ifaces, i);
		const char *name = json_string_field(iface, "name");
		const char *sandbox = json_string_field(iface, "sandbox");

		if (name && (!sandbox || !*sandbox))
			return name;
	}
	return NULL;
}

/* Names as they may be printed: no control character, valid UTF-8. */
static void clean_entry(struct pod_entry *e)
{
	text_clean(e->host_ifname);
	text_clean(e->pod.ns);
	text_clean(e->pod.name);
	text_clean(e->pod.netns);
}

static int cache_append(struct pod_table *cache, const struct pod_entry *entry)
{
	struct pod_entry *e = ARRAY_PUSH(cache->entries, cache->n);

	if (!e)
		return -ENOMEM;
	*e = *entry;
	return 0;
}

/* Reads @path as a node file (regular, bounded, without blocking) and
 * parses it as JSON; -EINVAL when it is not JSON. */
static int read_json(const char *path, size_t max, struct json_object **root)
{
	char *text;
	size_t len;
	int err = nodefile_read(path, max, &text, &len);

	if (err)
		return err;
	*root = json_tokener_parse(text);
	free(text);
	return *root ? 0 : -EINVAL;
}

int cni_cache_parse_file(const char *path, struct pod_table *cache)
{
	struct json_object *root = NULL;
	struct json_object *args = NULL, *result = NULL;
	const char *kind, *ns, *name, *ifname, *netns;
	struct pod_entry entry = {};
	int err = read_json(path, CNI_CACHE_ENTRY_MAX, &root);

	if (err)
		return err;
	err = -EINVAL;
	kind = json_string_field(root, "kind");
	json_object_object_get_ex(root, "cniArgs", &args);
	json_object_object_get_ex(root, "result", &result);
	ns = cni_arg(args, "K8S_POD_NAMESPACE");
	name = cni_arg(args, "K8S_POD_NAME");
	ifname = result ? host_ifname(result) : NULL;
	if (!kind || strcmp(kind, "cniCacheV1") || !ns || !name || !ifname)
		goto out;
	if (strlen(ifname) >= sizeof(entry.host_ifname) || strlen(ns) >= sizeof(entry.pod.ns) ||
	    strlen(name) >= sizeof(entry.pod.name)) {
		err = -ENAMETOOLONG;
		goto out;
	}
	netns = json_string_field(root, "netns");
	strcpy(entry.host_ifname, ifname);
	strcpy(entry.pod.ns, ns);
	strcpy(entry.pod.name, name);
	snprintf(entry.pod.netns, sizeof(entry.pod.netns), "%s", netns ? netns : "");
	clean_entry(&entry);
	err = cache_append(cache, &entry);
out:
	json_object_put(root);
	return err;
}

int cni_cache_load(const char *dir, struct pod_table *cache)
{
	char path[4096];
	struct dirent *de;
	DIR *d;

	cache->entries = NULL;
	cache->n = 0;
	snprintf(path, sizeof(path), "%s/results", dir);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		int err;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/results/%s", dir, de->d_name);
		err = cni_cache_parse_file(path, cache);
		if (err == -EINVAL)
			pr_warn("skipping %s: not a libcni cache entry (cniCacheV1 with "
				"K8S_POD_NAMESPACE, K8S_POD_NAME and a host interface)",
				path);
		else if (err == -ENAMETOOLONG)
			pr_warn("skipping %s: a name in it is longer than Kubernetes and the "
				"kernel allow (namespace %d, Pod %d, interface %d characters)",
				path, POD_NS_MAX - 1, POD_NAME_MAX - 1, IF_NAMESIZE - 1);
		else if (err == -ENOMEM) {
			closedir(d);
			return err;
		} else if (err) {
			/* A FIFO, a 9 MB file, a file we may not read: one
			 * warning, and the others are still read. */
			pr_warn("skipping %s: %s", path, nodefile_strerror(err));
		}
	}
	closedir(d);
	return 0;
}

const struct pod_ref *pod_table_find(const struct pod_table *cache, const char *host_ifname)
{
	size_t i;

	for (i = 0; cache && i < cache->n; i++) {
		if (!strcmp(cache->entries[i].host_ifname, host_ifname))
			return &cache->entries[i].pod;
	}
	return NULL;
}

void pod_table_free(struct pod_table *cache)
{
	free(cache->entries);
	cache->entries = NULL;
	cache->n = 0;
}

int pod_map_load(const char *path, struct pod_table *map)
{
	struct json_object *root = NULL;
	int err = read_json(path, NODEFILE_MAX, &root);

	map->entries = NULL;
	map->n = 0;
	if (err && err != -EINVAL) {
		pr_warn("cannot read the Pod map %s: %s", path, nodefile_strerror(err));
		return err;
	}
	if (!root || !json_object_is_type(root, json_type_object)) {
		pr_warn("%s is not a Pod map: want a JSON object {\"<veth>\": {\"namespace\": "
			"\"...\", \"name\": \"...\"}}",
			path);
		json_object_put(root);
		return -EINVAL;
	}
	json_object_object_foreach(root, ifname, pod)
	{
		const char *ns = json_string_field(pod, "namespace"),
			   *name = json_string_field(pod, "name");
		struct pod_entry entry = {};

		if (!ns || !name || strlen(ifname) >= sizeof(entry.host_ifname) ||
		    strlen(ns) >= sizeof(entry.pod.ns) || strlen(name) >= sizeof(entry.pod.name)) {
			pr_warn("%s: the entry for '%s' needs a \"namespace\" and a \"name\"", path,
				ifname);
			err = -EINVAL;
			break;
		}
		strcpy(entry.host_ifname, ifname);
		strcpy(entry.pod.ns, ns);
		strcpy(entry.pod.name, name);
		clean_entry(&entry);
		err = cache_append(map, &entry);
		if (err)
			break;
	}
	json_object_put(root);
	if (err)
		pod_table_free(map);
	return err;
}
