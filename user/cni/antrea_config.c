// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "cni/antrea_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "lib/log.h"
#include "lib/nodefile.h"

static const char *scalar(yaml_node_t *node)
{
	return node && node->type == YAML_SCALAR_NODE ? (const char *)node->data.scalar.value
						      : NULL;
}

static bool parse_bool(const char *s, bool *out)
{
	if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "yes")) {
		*out = true;
		return true;
	}
	if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "no")) {
		*out = false;
		return true;
	}
	return false;
}

/* Applies one top-level key; returns false for a value that is not valid. */
static bool apply_key(struct antrea_config *cfg, const char *key, const char *value)
{
	char *end;
	long mtu;

	if (!strcmp(key, "trafficEncapMode")) {
		cfg->has_mode = true;
		return !policy_parse_mode(value, &cfg->policy.mode) &&
		       cfg->policy.mode != MODE_AUTO;
	}
	if (!strcmp(key, "tunnelType"))
		return !policy_parse_tunnel(value, &cfg->policy.tunnel);
	if (!strcmp(key, "trafficEncryptionMode"))
		return !policy_parse_encryption(value, &cfg->policy.encryption);
	if (!strcmp(key, "enableBridgingMode"))
		return parse_bool(value, &cfg->bridging);
	if (!strcmp(key, "transportInterface")) {
		snprintf(cfg->transport_iface, sizeof(cfg->transport_iface), "%s", value);
		return strlen(value) < sizeof(cfg->transport_iface);
	}
	if (!strcmp(key, "defaultMTU")) {
		mtu = strtol(value, &end, 10);
		/* 0 is Antrea's "derive it"; 68 is IPv4's floor. */
		if (*end || mtu < 0 || (mtu > 0 && mtu < 68) || mtu > 65535)
			return false;
		cfg->policy.default_mtu = (unsigned int)mtu;
		return true;
	}
	return true; /* a setting that does not bear on MTUs */
}

static int apply_document(const char *path, yaml_document_t *doc, struct antrea_config *cfg)
{
	yaml_node_t *root = yaml_document_get_root_node(doc);
	yaml_node_pair_t *pair;

	if (!root)
		return 0; /* an empty file: all defaults */
	if (root->type != YAML_MAPPING_NODE) {
		pr_err("%s is not an antrea-agent.conf: its top level is not a mapping", path);
		return -EINVAL;
	}
	for (pair = root->data.mapping.pairs.start; pair < root->data.mapping.pairs.top; pair++) {
		yaml_node_t *knode = yaml_document_get_node(doc, pair->key);
		yaml_node_t *vnode = yaml_document_get_node(doc, pair->value);
		const char *key = scalar(knode), *value = scalar(vnode);

		if (!key || !value)
			continue; /* nested sections (featureGates, ...) */
		if (!*value)
			continue; /* "key:" with no value keeps the default, as in Antrea */
		if (!apply_key(cfg, key, value)) {
			pr_err("%s line %zu: '%s' is not a valid %s", path,
			       knode->start_mark.line + 1, value, key);
			return -EINVAL;
		}
	}
	return 0;
}

int antrea_config_load(const char *path, struct antrea_config *cfg)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	char *text;
	size_t len;
	int err;

	memset(cfg, 0, sizeof(*cfg));
	cfg->policy.mode = MODE_ENCAP; /* Antrea's default trafficEncapMode */
	/* A node file: a FIFO named by mistake must not hang the command. */
	err = nodefile_read(path, NODEFILE_MAX, &text, &len);
	if (err) {
		pr_err("cannot read the Antrea config %s: %s", path, nodefile_strerror(err));
		return err;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		pr_err("%s line %zu: not valid YAML (%s)", path, parser.problem_mark.line + 1,
		       parser.problem ? parser.problem : "parse error");
		err = -EINVAL;
	} else {
		err = apply_document(path, &doc, cfg);
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&parser);
	free(text);
	return err;
}
