// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "podid.h"

#include <dirent.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static const char *json_str(struct json_object *obj, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

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
		    !strcmp(json_object_get_string(k), key))
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
		const char *name = json_str(iface, "name");
		const char *sandbox = json_str(iface, "sandbox");

		if (name && (!sandbox || !*sandbox))
			return name;
	}
	return NULL;
}

static int cache_append(struct cni_cache *cache, const struct cni_entry *entry)
{
	struct cni_entry *grown = realloc(cache->entries, (cache->n + 1) * sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	cache->entries = grown;
	cache->entries[cache->n++] = *entry;
	return 0;
}

int cni_cache_parse_file(const char *path, struct cni_cache *cache)
{
	struct json_object *root = json_object_from_file(path);
	struct json_object *args = NULL, *result = NULL;
	const char *kind, *ns, *name, *ifname, *netns;
	struct cni_entry entry = {};
	int err = -EINVAL;

	if (!root)
		return -EINVAL;
	kind = json_str(root, "kind");
	json_object_object_get_ex(root, "cniArgs", &args);
	json_object_object_get_ex(root, "result", &result);
	ns = cni_arg(args, "K8S_POD_NAMESPACE");
	name = cni_arg(args, "K8S_POD_NAME");
	ifname = result ? host_ifname(result) : NULL;
	if (!kind || strcmp(kind, "cniCacheV1") || !ns || !name || !ifname)
		goto out;
	if (strlen(ifname) >= sizeof(entry.host_ifname) || strlen(ns) >= sizeof(entry.pod.ns) ||
	    strlen(name) >= sizeof(entry.pod.name))
		goto out;
	netns = json_str(root, "netns");
	strcpy(entry.host_ifname, ifname);
	strcpy(entry.pod.ns, ns);
	strcpy(entry.pod.name, name);
	snprintf(entry.pod.netns, sizeof(entry.pod.netns), "%s", netns ? netns : "");
	err = cache_append(cache, &entry);
out:
	json_object_put(root);
	return err;
}

int cni_cache_load(const char *dir, struct cni_cache *cache)
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
		else if (err) {
			closedir(d);
			return err;
		}
	}
	closedir(d);
	return 0;
}

const struct pod_ref *cni_cache_find(const struct cni_cache *cache, const char *host_ifname)
{
	size_t i;

	for (i = 0; i < cache->n; i++) {
		if (!strcmp(cache->entries[i].host_ifname, host_ifname))
			return &cache->entries[i].pod;
	}
	return NULL;
}

void cni_cache_free(struct cni_cache *cache)
{
	free(cache->entries);
	cache->entries = NULL;
	cache->n = 0;
}
