// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "cni/conf.h"
#include "lib/json_field.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "lib/nodefile.h"

/* Multus's configs name the host's files as its container sees them. */
#define MULTUS_HOST_PREFIX "/host"

static bool is_conf_name(const char *name)
{
	static const char *const exts[] = { ".conf", ".conflist", ".json" };
	size_t n = strlen(name), i;

	if (name[0] == '.')
		return false;
	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		size_t e = strlen(exts[i]);

		if (n > e && !strcmp(name + n - e, exts[i]))
			return true;
	}
	return false;
}

/* The lexicographically first config file of @dir (as libcni sorts), or
 * -1 when it has none. */
static int first_conf(const char *dir, char *out, size_t size)
{
	struct dirent **names;
	int n, i, found = -1;

	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0)
		return -1;
	for (i = 0; i < n; i++) {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (found < 0 && is_conf_name(names[i]->d_name)) {
			snprintf(out, size, "%s", path);
			found = i;
		}
		free(names[i]);
	}
	free(names);
	return found < 0 ? -1 : 0;
}

/* Parses @path; NULL after one warning naming it. */
static struct json_object *parse(const char *path)
{
	struct json_object *root;
	char *text;
	size_t len;
	int err = nodefile_read(path, NODEFILE_MAX, &text, &len);

	if (err) {
		pr_warn("cannot read the CNI config %s (%s); judging by the node's devices", path,
			nodefile_strerror(err));
		return NULL;
	}
	root = json_tokener_parse(text);
	free(text);
	if (!root || !json_object_is_type(root, json_type_object)) {
		pr_warn("%s is not a CNI config (not a JSON object); judging by the node's devices",
			path);
		json_object_put(root);
		return NULL;
	}
	return root;
}

/* A conflist's plugins, or NULL for a single-plugin .conf. */
static struct json_object *plugins_of(struct json_object *root)
{
	struct json_object *v;

	if (json_object_object_get_ex(root, "plugins", &v) &&
	    json_object_is_type(v, json_type_array))
		return v;
	return NULL;
}

static const char *first_type(struct json_object *root)
{
	struct json_object *plugins = plugins_of(root);

	if (!plugins)
		return json_string_field(root, "type");
	if (!json_object_array_length(plugins))
		return NULL;
	return json_string_field(json_object_array_get_idx(plugins, 0), "type");
}

static bool is_multus(const char *type)
{
	return type && (!strcmp(type, "multus") || !strcmp(type, "multus-shim"));
}

/* The file a network name stands for: the config in @dir whose "name" it
 * is, or -1. */
static int find_by_name(const char *dir, const char *name, const char *skip, char *out, size_t size)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int found = -1;

	if (!d)
		return -1;
	while (found < 0 && (de = readdir(d))) {
		char path[PATH_MAX];
		struct json_object *root;
		const char *n;

		if (!is_conf_name(de->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (!strcmp(path, skip))
			continue;
		root = parse(path);
		n = root ? json_string_field(root, "name") : NULL;
		if (n && !strcmp(n, name)) {
			snprintf(out, size, "%s", path);
			found = 0;
		}
		json_object_put(root);
	}
	closedir(d);
	return found;
}

/* Follows Multus to the cluster network; false after a warning. */
static bool follow_multus(struct cni_conf *c, const char *dir, const char *host_root)
{
	struct json_object *plugin =
		plugins_of(c->root) ? json_object_array_get_idx(plugins_of(c->root), 0) : c->root;
	const char *target = json_string_field(plugin, "clusterNetwork");
	char path[PATH_MAX];

	snprintf(c->via, sizeof(c->via), "%s", c->path);
	if (!target) {
		pr_warn("%s is Multus's but names no clusterNetwork; judging by the node's devices",
			c->path);
		return false;
	}
	if (target[0] == '/') {
		if (!strncmp(target, MULTUS_HOST_PREFIX "/", strlen(MULTUS_HOST_PREFIX) + 1))
			target += strlen(MULTUS_HOST_PREFIX);
		host_path(path, sizeof(path), host_root, target);
	} else if (find_by_name(dir, target, c->via, path, sizeof(path))) {
		pr_warn("%s delegates to the network '%s', which no config in %s names; judging "
			"by the node's devices",
			c->via, target, dir);
		return false;
	}
	json_object_put(c->root);
	snprintf(c->path, sizeof(c->path), "%s", path);
	c->root = parse(c->path);
	return c->root != NULL;
}

void cni_conf_read(const char *dir, const char *host_root, struct cni_conf *c)
{
	const char *type;

	memset(c, 0, sizeof(*c));
	if (first_conf(dir, c->path, sizeof(c->path))) {
		c->path[0] = '\0';
		return;
	}
	c->root = parse(c->path);
	if (c->root && is_multus(first_type(c->root)) && !follow_multus(c, dir, host_root)) {
		json_object_put(c->root);
		c->root = NULL;
	}
	type = c->root ? first_type(c->root) : NULL;
	snprintf(c->type, sizeof(c->type), "%s", type ? type : "");
}

struct json_object *cni_conf_plugin(const struct cni_conf *c, const char *type)
{
	struct json_object *plugins;
	size_t i, n;

	if (!c->root)
		return NULL;
	plugins = plugins_of(c->root);
	if (!plugins) {
		const char *t = json_string_field(c->root, "type");

		return t && !strcmp(t, type) ? c->root : NULL;
	}
	n = json_object_array_length(plugins);
	for (i = 0; i < n; i++) {
		struct json_object *p = json_object_array_get_idx(plugins, i);
		const char *t = json_string_field(p, "type");

		if (t && !strcmp(t, type))
			return p;
	}
	return NULL;
}

bool cni_conf_has(const struct cni_conf *c, const char *type)
{
	return cni_conf_plugin(c, type) != NULL;
}

void cni_conf_free(struct cni_conf *c)
{
	json_object_put(c->root);
	c->root = NULL;
}
