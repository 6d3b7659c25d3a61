// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "fix/apply.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/log.h"
#include "node/netlink.h"
#include "node/netns.h"
#include "node/nsnames.h"
#include "podid/ovsdb.h"

#define OVSDB_TIMEOUT_MS 2000

/* Where a veth end lives, from a step or a journal entry. */
struct end {
	const char *iface; /* the host end's name: both ends are named by it */
	int ifindex;	   /* the end itself */
	int nsid;	   /* NL_OWN_NETNS for the host end */
	const char *netns; /* the Pod end's netns, by its name in /run/netns */
	bool pod_end;
};

struct mtu_set {
	int ifindex;
	unsigned int mtu;
};

static int set_mtu_here(void *arg)
{
	const struct mtu_set *m = arg;

	return nl_set_mtu(m->ifindex, m->mtu);
}

static const char *end_name(const struct end *e)
{
	return e->pod_end ? "the Pod end of" : "";
}

/* The Pod end is set from inside its netns (node/netns.h). */
static int write_mtu(const struct end *e, unsigned int mtu)
{
	struct mtu_set m = { .ifindex = e->ifindex, .mtu = mtu };
	int fd, err;

	if (!e->pod_end) {
		err = nl_set_mtu(e->ifindex, mtu);
	} else {
		fd = netns_open(e->netns, e->nsid);
		if (fd < 0) {
			pr_err("cannot enter the netns of %s ('%s' under %s): %s", e->iface,
			       e->netns, NETNS_RUN_DIR,
			       fd == -ESTALE ? "that name is another netns by now" : strerror(-fd));
			return fd;
		}
		err = netns_run(fd, set_mtu_here, &m);
		close(fd);
	}
	if (err)
		pr_err("cannot set %s %s to MTU %u: %s", end_name(e), e->iface, mtu,
		       strerror(-err));
	return err;
}

/* The end's MTU now; -ENODEV when the host end is gone or is another
 * interface by now (its ifindex reused). */
static int read_end(const struct end *e, unsigned int *mtu)
{
	struct nl_link link;
	int err = nl_get_link(e->nsid, e->ifindex, &link);

	if (err)
		return err == -ENODEV || err == -EINVAL ? -ENODEV : err;
	if (!e->pod_end && strcmp(link.name, e->iface))
		return -ENODEV;
	*mtu = link.mtu;
	return 0;
}

/* Sets one end to @mtu and reads it back. */
static int set_end(const struct end *e, unsigned int mtu)
{
	unsigned int now = 0;
	int err = write_mtu(e, mtu);

	if (err)
		return err;
	err = read_end(e, &now);
	if (!err && now != mtu)
		err = -EIO;
	if (err)
		pr_err("%s %s reads back as MTU %u, not %u", end_name(e), e->iface, now, mtu);
	return err;
}

static struct end host_end(const struct fix_step *s)
{
	return (struct end){ .iface = s->iface, .ifindex = s->ifindex, .nsid = NL_OWN_NETNS };
}

static struct end pod_end(const struct fix_step *s)
{
	return (struct end){ .iface = s->iface,
			     .ifindex = s->peer_ifindex,
			     .nsid = s->netnsid,
			     .netns = s->netns,
			     .pod_end = true };
}

static int change_end(struct journal *j, const struct fix_step *s, const struct end *e)
{
	struct journal_entry entry = {
		.kind = e->pod_end ? JOURNAL_VETH_POD : JOURNAL_VETH_HOST,
		.ifindex = s->ifindex,
		.named = s->named,
		.pod = s->pod,
		.after = s->to,
	};
	int err = read_end(e, &entry.before);

	if (err == -ENODEV) {
		pr_err("the veth %s has gone since the plan was made", s->iface);
		return err;
	}
	if (err)
		return err;
	if (entry.before == s->to)
		return 0;
	snprintf(entry.iface, sizeof(entry.iface), "%s", s->iface);
	snprintf(entry.netns, sizeof(entry.netns), "%s", s->netns);
	err = set_end(e, s->to);
	/* Journalled even when the read-back disagrees: it was written. */
	if ((!err || err == -EIO) && journal_append(j, &entry))
		return -EIO;
	return err;
}

/* REMEDY.md's order: raising, the host end first (what the Pod sends
 * always fits what the host end takes); lowering, the Pod end first (the
 * Pod's own TCP adapts at once). */
static int apply_veth(struct journal *j, const struct fix_step *s)
{
	struct end host = host_end(s), pod = pod_end(s);
	bool raise = s->to > s->from_pod;
	int err;

	err = change_end(j, s, raise ? &host : &pod);
	if (!err)
		err = change_end(j, s, raise ? &pod : &host);
	return err;
}

static int ovs_request_of(const struct fix_ovs *ovs, const char *iface, unsigned int *out)
{
	struct ovs_ports ports;
	const struct ovs_port *port;
	int err;

	if (!ovs->keys)
		return -ENOENT; /* the CNI does not use Open vSwitch */
	err = ovsdb_read_ports(ovs->socket, OVSDB_TIMEOUT_MS, -1, ovs->keys, &ports);
	if (err)
		return err;
	port = ovs_find_port(&ports, iface);
	if (port)
		*out = port->mtu_request > 0 ? (unsigned int)port->mtu_request : 0;
	ovs_ports_free(&ports);
	return port ? 0 : -ENODEV;
}

static int set_ovs_request(const struct fix_ovs *ovs, const char *iface, unsigned int mtu)
{
	unsigned int now = 0;
	int err = ovsdb_set_mtu_request(ovs->socket, OVSDB_TIMEOUT_MS, iface, mtu);

	if (!err)
		err = ovs_request_of(ovs, iface, &now);
	if (!err && now != mtu)
		err = -EIO;
	if (err)
		pr_err("cannot set mtu_request of %s to %u through OVSDB at %s: %s", iface, mtu,
		       ovs->socket,
		       err == -ETIMEDOUT ? "it does not answer"
		       : err == -EIO	 ? "it reads back otherwise"
					 : strerror(-err));
	return err;
}

/* Open vSwitch gives the port its MTU on its own time: waited for, with a
 * bound; past it, a warning (mtu_request is set and read back). */
static void wait_port_mtu(const char *iface, unsigned int mtu)
{
	unsigned long long until = monotonic_ms() + OVS_APPLY_WAIT_MS;
	unsigned int ifindex = if_nametoindex(iface);
	struct nl_link link = { 0 };

	while (ifindex && !nl_get_link(NL_OWN_NETNS, (int)ifindex, &link) && link.mtu != mtu &&
	       monotonic_ms() < until)
		nanosleep(&(struct timespec){ .tv_nsec = 20 * 1000 * 1000 }, NULL);
	if (link.mtu != mtu)
		pr_warn("Open vSwitch has not given %s MTU %u yet (it has %u); its mtu_request is "
			"set",
			iface, mtu, link.mtu);
}

static int apply_ovs(struct journal *j, const struct fix_step *s, const struct fix_ovs *ovs)
{
	struct journal_entry entry = { .kind = JOURNAL_OVS_MTU_REQUEST, .after = s->to };
	int err;

	if (!ovs->socket) {
		pr_err("no OVSDB to set mtu_request of %s through (--ovsdb)", s->iface);
		return -ENOENT;
	}
	err = ovs_request_of(ovs, s->iface, &entry.before);
	if (!err && entry.before != s->to) {
		snprintf(entry.iface, sizeof(entry.iface), "%s", s->iface);
		err = set_ovs_request(ovs, s->iface, s->to);
		/* Journalled even when the read-back disagrees: it was written. */
		if (!err || err == -EIO)
			err = journal_append(j, &entry) ? -EIO : err;
	} else if (err) {
		pr_err("cannot read %s from OVSDB at %s: %s", s->iface, ovs->socket,
		       err == -ETIMEDOUT ? "it does not answer" : strerror(-err));
	}
	if (!err)
		wait_port_mtu(s->iface, s->to);
	return err;
}

static int restore_ovs(const struct journal_entry *e, const struct fix_ovs *ovs,
		       bool *changed_since)
{
	unsigned int now = 0;
	int err;

	if (!ovs->socket) {
		pr_err("no OVSDB to restore mtu_request of %s through (--ovsdb)", e->iface);
		return -ENOENT;
	}
	err = ovs_request_of(ovs, e->iface, &now);
	if (err == -ENODEV || (!err && now != e->after)) {
		*changed_since = true;
		return 0;
	}
	return err ? err : set_ovs_request(ovs, e->iface, e->before);
}

/* A veth end journalled: the host end by its ifindex and name, the Pod
 * end through the host end's peer as it is now. */
static int restore_end(const struct journal_entry *e, bool *changed_since)
{
	struct end end = { .iface = e->iface, .ifindex = e->ifindex, .nsid = NL_OWN_NETNS };
	unsigned int now = 0;
	struct nl_link host;
	int err;

	if (e->kind == JOURNAL_VETH_POD) {
		err = nl_get_link(NL_OWN_NETNS, e->ifindex, &host);
		if (err || strcmp(host.name, e->iface)) {
			*changed_since = true;
			return 0;
		}
		end = (struct end){ .iface = e->iface,
				    .ifindex = host.peer_ifindex,
				    .nsid = host.peer_netnsid,
				    .netns = e->netns,
				    .pod_end = true };
	}
	err = read_end(&end, &now);
	if (err == -ENODEV || (!err && now != e->after)) {
		*changed_since = true;
		return 0;
	}
	return err ? err : set_end(&end, e->before);
}

/* Puts one journalled change back, if it still holds what fix set. */
static int restore(const struct journal_entry *e, const struct fix_ovs *ovs, bool *changed_since)
{
	*changed_since = false;
	return e->kind == JOURNAL_OVS_MTU_REQUEST ? restore_ovs(e, ovs, changed_since)
						  : restore_end(e, changed_since);
}

/* Undoes this run's changes (journal entries from @from), newest first. */
static void roll_back(struct journal *j, size_t from, const struct fix_ovs *ovs)
{
	size_t i = j->n;
	bool changed;

	while (i-- > from) {
		if (restore(&j->v[i], ovs, &changed) || changed)
			pr_err("could not roll back %s of %s (%u -> %u): see the journal %s",
			       journal_kind_name(j->v[i].kind), j->v[i].iface, j->v[i].after,
			       j->v[i].before, j->path);
		else
			journal_truncate(j, i);
	}
}

int fix_apply(struct fix_plan *p, struct journal *j, const struct fix_ovs *ovs)
{
	size_t from = j->n, i;
	int err = 0;

	for (i = 0; i < p->n && !err; i++) {
		struct fix_step *s = &p->steps[i];

		err = s->kind == FIX_VETH ? apply_veth(j, s) : apply_ovs(j, s, ovs);
		s->done = !err;
	}
	if (err) {
		pr_err("rolling back the %zu change(s) this run made", j->n - from);
		roll_back(j, from, ovs);
		for (i = 0; i < p->n; i++)
			p->steps[i].done = false;
	}
	return err;
}

int fix_undo(struct journal *j, const struct fix_ovs *ovs, struct undo_result *out)
{
	size_t i = j->n;
	bool changed;
	int err;

	memset(out, 0, sizeof(*out));
	while (i-- > 0) {
		const struct journal_entry *e = &j->v[i];

		err = restore(e, ovs, &changed);
		if (err)
			return err;
		if (changed) {
			pr_warn("%s of %s changed since fix set it to %u: left as it is",
				journal_kind_name(e->kind), e->iface, e->after);
			out->changed_since++;
		} else {
			out->restored++;
		}
		err = journal_truncate(j, i);
		if (err)
			return err;
	}
	return 0;
}
