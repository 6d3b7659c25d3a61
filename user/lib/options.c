// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "lib/options.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"

/* getopt_long's value for a long-only option: its index in the flat list,
 * above every character a short option can be. */
#define LONG_ONLY_BASE 256

/* Column where the help text starts: "  --sample-interval MS   text". */
#define HELP_COLUMN 25

struct flat {
	const struct opt_group *group;
	const struct opt_def *def;
};

static size_t count_options(const struct opt_group *groups, size_t n_groups)
{
	size_t i, n = 0;

	for (i = 0; i < n_groups; i++)
		n += groups[i].n;
	return n;
}

static void flatten(const struct opt_group *groups, size_t n_groups, struct flat *flat)
{
	size_t g, d, k = 0;

	for (g = 0; g < n_groups; g++) {
		for (d = 0; d < groups[g].n; d++)
			flat[k++] = (struct flat){ .group = &groups[g], .def = &groups[g].defs[d] };
	}
}

static int usage_hint(const char *command)
{
	fprintf(stderr, "Try 'mtuguard %s --help' for the options.\n", command);
	return -1;
}

int options_parse(const char *command, int argc, char **argv, const struct opt_group *groups,
		  size_t n_groups)
{
	size_t n = count_options(groups, n_groups), i;
	struct option *longs = calloc(n + 1, sizeof(*longs));
	struct flat *flat = calloc(n ? n : 1, sizeof(*flat));
	char *shorts = calloc(2 * n + 2, 1), *s;
	int opt, ret = 0;

	if (!longs || !flat || !shorts) {
		pr_err("out of memory parsing the options");
		ret = -1;
		goto out;
	}
	flatten(groups, n_groups, flat);
	s = shorts;
	for (i = 0; i < n; i++) {
		longs[i] = (struct option){
			.name = flat[i].def->name,
			.has_arg = flat[i].def->arg ? required_argument : no_argument,
			.val = flat[i].def->letter ? flat[i].def->letter : LONG_ONLY_BASE + (int)i,
		};
		if (flat[i].def->letter) {
			*s++ = flat[i].def->letter;
			if (flat[i].def->arg)
				*s++ = ':';
		}
	}
	optind = 0; /* glibc: start afresh, also on a second call */
	while (!ret && (opt = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		const struct flat *f = NULL;

		for (i = 0; i < n && !f; i++) {
			if (longs[i].val == opt)
				f = &flat[i];
		}
		if (!f) {
			ret = usage_hint(command);
			break;
		}
		ret = f->group->handle(f->group->ctx, f->def, optarg);
		if (ret < 0)
			ret = -1;
	}
	if (!ret && optind < argc) {
		pr_err("%s takes no arguments, only options ('%s')", command, argv[optind]);
		ret = usage_hint(command);
	}
out:
	free(longs);
	free(flat);
	free(shorts);
	return ret;
}

static void print_one(FILE *out, const struct opt_def *d)
{
	const char *line, *nl;
	char head[80];
	int len;

	len = snprintf(head, sizeof(head), "  %s%.1s%s--%s%s%s", d->letter ? "-" : "",
		       d->letter ? &d->letter : "", d->letter ? ", " : "", d->name,
		       d->arg ? " " : "", d->arg ? d->arg : "");
	fputs(head, out);
	/* A head too long for the column gets its text on the next line. */
	if (len >= HELP_COLUMN - 1) {
		fputc('\n', out);
		len = 0;
	}
	for (line = d->help; line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		fprintf(out, "%*s%.*s\n", HELP_COLUMN - len, "",
			nl ? (int)(nl - line) : (int)strlen(line), line);
		len = 0;
	}
}

void options_print_help(FILE *out, const struct opt_group *groups, size_t n_groups)
{
	size_t g, d;

	for (g = 0; g < n_groups; g++) {
		if (!groups[g].n)
			continue;
		fprintf(out, "%s:\n", groups[g].title);
		for (d = 0; d < groups[g].n; d++)
			print_one(out, &groups[g].defs[d]);
		if (groups[g].note)
			fputs(groups[g].note, out);
		if (g + 1 < n_groups)
			fputc('\n', out);
	}
}

const struct opt_def *options_find(const struct opt_group *groups, size_t n_groups,
				   const char *name)
{
	size_t g, d;

	for (g = 0; g < n_groups; g++) {
		for (d = 0; d < groups[g].n; d++) {
			if (!strcmp(groups[g].defs[d].name, name))
				return &groups[g].defs[d];
		}
	}
	return NULL;
}
