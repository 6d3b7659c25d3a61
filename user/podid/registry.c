// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "podid/registry.h"

#include <errno.h>
#include <limits.h>
#include <linux/limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/array.h"
#include "lib/log.h"
#include "lib/nodefile.h"
#include "lib/worker.h"
#include "node/node.h"
#include "podid/ovsdb.h"

/* How long an OVSDB may take to answer before we fall back. */
#define OVSDB_TIMEOUT_MS 2000

/* An unnamed Pod's next try: soon at first, then less and less often. */
#define NAME_RETRY_FIRST_MS 10
#define NAME_RETRY_MAX_MS 10000

/* One Pod interface the registry has seen, named or not. */
struct identity {
	int ifindex;
	char ifname[IF_NAMESIZE];
	bool named;
	struct pod_name name;
	unsigned long long retry_ms; /* unnamed: no new read for it before (monotonic) */
	unsigned int backoff_ms;
};

/* What the sources said at one read. */
struct sources {
	struct ovs_ports ovs;
	struct pod_table cni;
	struct pod_table map;
};

struct podid {
	struct podid_opts opts;
	const struct ovsdb_keys *keys; /* NULL: no OVSDB */
	struct sources now;	       /* what names are found in (the loop's) */
	/* The reader thread's: a read takes as long as the files and OVSDB
	 * take (seconds for a hung OVSDB), and is never done in the loop. */
	struct worker *reader;
	struct sources fresh;
	int ovsdb_err; /* the last read's error, to warn once per change */
	bool quiet;    /* a re-read: what the files are wrong with was said */
	struct identity *v;
	size_t n;
	unsigned long reads;
	/* A tick has nothing to do while the node's Pods are those it saw,
	 * no unnamed Pod is due and no read has come back. */
	unsigned long seen_generation;
	unsigned long long next_due_ms; /* the earliest retry of an unnamed Pod */
	bool seen_any;
};

static void read_job(void *arg, int cancel_fd);

struct podid *podid_new(const struct podid_opts *opts, const struct ovsdb_keys *keys)
{
	struct podid *ids = calloc(1, sizeof(*ids));

	if (!ids)
		return NULL;
	ids->opts = *opts;
	if (!ids->opts.cni_cache)
		ids->opts.cni_cache = DEFAULT_CNI_CACHE;
	ids->keys = keys;
	ids->reader = worker_start(read_job, ids);
	if (!ids->reader) {
		free(ids);
		return NULL;
	}
	return ids;
}

static void free_sources(struct sources *src)
{
	ovs_ports_free(&src->ovs);
	pod_table_free(&src->cni);
	pod_table_free(&src->map);
}

void podid_free(struct podid *ids)
{
	if (!ids)
		return;
	worker_stop(ids->reader); /* a read in flight gives up */
	free_sources(&ids->now);
	free_sources(&ids->fresh);
	free(ids->v);
	free(ids);
}

/* Reads OVSDB: the socket given, else the CNI's then the system's. A
 * socket that is absent, dead or talks nonsense is a warning, never an
 * error. */
static void read_ovsdb(struct podid *ids, int cancel_fd)
{
	char defaults[2][PATH_MAX];
	size_t i;
	int err;

	if (!ids->keys)
		return;
	host_path(defaults[0], sizeof(defaults[0]), ids->opts.host_root,
		  ids->keys->socket ? ids->keys->socket : OVSDB_SYSTEM_SOCK);
	host_path(defaults[1], sizeof(defaults[1]), ids->opts.host_root, OVSDB_SYSTEM_SOCK);
	if (ids->opts.ovsdb) {
		err = ovsdb_read_ports(ids->opts.ovsdb, OVSDB_TIMEOUT_MS, cancel_fd, ids->keys,
				       &ids->fresh.ovs);
		/* Said once per change: a long watch re-reads it often. */
		if (err && err != ids->ovsdb_err)
			pr_warn("cannot read OVSDB at %s (%s); Pods are named from the CNI cache",
				ids->opts.ovsdb,
				err == -EBADMSG ? "it does not speak OVSDB" : strerror(-err));
		else if (!err && ids->ovsdb_err)
			pr_warn("OVSDB at %s answers again", ids->opts.ovsdb);
		ids->ovsdb_err = err;
		return;
	}
	for (i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++) {
		err = ovsdb_read_ports(defaults[i], OVSDB_TIMEOUT_MS, cancel_fd, ids->keys,
				       &ids->fresh.ovs);
		if (!err || err == -ECANCELED)
			return;
		if (err != -ENOENT)
			pr_warn("cannot read OVSDB at %s (%s); trying the next Pod source",
				defaults[i], strerror(-err));
	}
}

/* The reader thread: reads every source into ids->fresh. */
static void read_job(void *arg, int cancel_fd)
{
	struct podid *ids = arg;
	int err;

	read_ovsdb(ids, cancel_fd); /* says what changed, itself */
	/* What a source's files are wrong with was said at the first read:
	 * a watch re-reads them for every new Pod, and would say it again
	 * each time (-v still shows every read). */
	log_quiet_this_thread(ids->quiet);
	err = cni_cache_load(ids->opts.cni_cache, &ids->fresh.cni);
	if (err == -ENOENT)
		pr_info("no CNI cache at %s/results", ids->opts.cni_cache);
	else if (err)
		pr_warn("cannot read the CNI cache at %s/results: %s", ids->opts.cni_cache,
			strerror(-err));
	if (ids->opts.pod_map && pod_map_load(ids->opts.pod_map, &ids->fresh.map))
		pr_warn("ignoring the Pod map %s", ids->opts.pod_map);
}

/* Asks the reader for a read, unless one is in flight. */
static void start_read(struct podid *ids)
{
	ids->quiet = ids->reads > 0;
	if (worker_request(ids->reader))
		ids->reads++;
}

/* Takes what the reader read, once it has; true when it had. */
static bool collect(struct podid *ids)
{
	if (!worker_collect(ids->reader))
		return false;
	free_sources(&ids->now);
	ids->now = ids->fresh;
	memset(&ids->fresh, 0, sizeof(ids->fresh));
	return true;
}

/* The first source that knows @ifname, in order. */
static bool resolve(const struct podid *ids, const char *ifname, struct pod_name *out)
{
	const struct ovs_port *port = ovs_find_port(&ids->now.ovs, ifname);
	const struct pod_ref *ref;

	if (port && port->pod.ns[0] && port->pod.name[0]) {
		*out = (struct pod_name){ .pod = port->pod, .source = "ovsdb" };
		return true;
	}
	if ((ref = pod_table_find(&ids->now.cni, ifname))) {
		*out = (struct pod_name){ .pod = *ref, .source = "cni-cache" };
		return true;
	}
	if ((ref = pod_table_find(&ids->now.map, ifname))) {
		*out = (struct pod_name){ .pod = *ref, .source = "pod-map" };
		return true;
	}
	return false;
}

static struct identity *find(const struct podid *ids, int ifindex, const char *ifname)
{
	size_t i;

	for (i = 0; i < ids->n; i++) {
		if (ids->v[i].ifindex == ifindex && !strcmp(ids->v[i].ifname, ifname))
			return &ids->v[i];
	}
	return NULL;
}

static struct identity *find_or_add(struct podid *ids, const struct pod_iface *pod)
{
	struct identity *id = find(ids, pod->ifindex, pod->ifname);

	if (id)
		return id;
	id = ARRAY_PUSH(ids->v, ids->n);
	if (!id)
		return NULL;
	id->ifindex = pod->ifindex;
	snprintf(id->ifname, sizeof(id->ifname), "%s", pod->ifname);
	return id;
}

/* Tries to name @id from what was read last; true when it has a name. */
static bool name_one(struct podid *ids, struct identity *id)
{
	if (!id->named)
		id->named = resolve(ids, id->ifname, &id->name);
	return id->named;
}

/* An unnamed Pod's next try, further off each time. */
static void back_off(struct identity *id, unsigned long long now_ms)
{
	id->backoff_ms = id->backoff_ms ? id->backoff_ms * 2 : NAME_RETRY_FIRST_MS;
	if (id->backoff_ms > NAME_RETRY_MAX_MS)
		id->backoff_ms = NAME_RETRY_MAX_MS;
	id->retry_ms = now_ms + id->backoff_ms;
}

/* Identities of interfaces the node model no longer holds (it keeps a
 * bounded number of gone Pods), so that churn does not grow the table. */
static void prune(struct podid *ids, const struct node *node)
{
	size_t i = 0;

	if (ids->n <= 2 * node->n_pods + 16)
		return;
	while (i < ids->n) {
		const struct pod_iface *pod = node_find_pod(node, ids->v[i].ifindex);

		if (pod && !strcmp(pod->ifname, ids->v[i].ifname)) {
			i++;
			continue;
		}
		ids->v[i] = ids->v[--ids->n];
	}
}

/* The earliest time an unnamed live Pod is due; ULLONG_MAX when none. */
static unsigned long long next_due(const struct podid *ids, const struct node *node)
{
	unsigned long long next = ULLONG_MAX;
	size_t i;

	for (i = 0; i < node->n_pods; i++) {
		const struct identity *id;

		if (node->pods[i].gone)
			continue;
		id = find(ids, node->pods[i].ifindex, node->pods[i].ifname);
		if (id && !id->named && id->retry_ms < next)
			next = id->retry_ms;
	}
	return next;
}

static void remember(struct podid *ids, const struct node *node)
{
	ids->seen_any = true;
	ids->seen_generation = node->generation;
	ids->next_due_ms = next_due(ids, node);
}

void podid_tick(struct podid *ids, const struct node *node, unsigned long long now_ms)
{
	bool read = collect(ids), due = false;
	size_t i;

	if (!read && ids->seen_any && ids->seen_generation == node->generation &&
	    now_ms < ids->next_due_ms)
		return;
	prune(ids, node);
	for (i = 0; i < node->n_pods; i++) {
		const struct pod_iface *pod = &node->pods[i];
		struct identity *id;

		if (pod->gone)
			continue;
		id = find_or_add(ids, pod);
		if (!id || name_one(ids, id) || now_ms < id->retry_ms)
			continue;
		/* Still unnamed after the read it waited for: later. */
		if (read)
			back_off(id, now_ms);
		else
			due = true;
	}
	if (due)
		start_read(ids);
	remember(ids, node);
}

void podid_load(struct podid *ids, const struct node *node, unsigned long long now_ms)
{
	start_read(ids);
	podid_wait(ids);
	podid_tick(ids, node, now_ms);
}

void podid_wait(struct podid *ids)
{
	worker_wait(ids->reader);
}

bool podid_reading(struct podid *ids)
{
	return worker_busy(ids->reader);
}

int podid_fd(const struct podid *ids)
{
	return worker_fd(ids->reader);
}

unsigned long long podid_next_due_ms(struct podid *ids)
{
	/* A read in flight wakes the loop through podid_fd() when it is done. */
	return worker_busy(ids->reader) ? ULLONG_MAX : ids->next_due_ms;
}

const struct pod_name *podid_find(const struct podid *ids, const struct pod_iface *pod)
{
	const struct identity *id;

	if (!ids || !pod)
		return NULL;
	id = find(ids, pod->ifindex, pod->ifname);
	return id && id->named ? &id->name : NULL;
}

const struct ovs_ports *podid_ovs_ports(const struct podid *ids)
{
	return &ids->now.ovs;
}

unsigned long podid_reads(const struct podid *ids)
{
	return ids->reads;
}
