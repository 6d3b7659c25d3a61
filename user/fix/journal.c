// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "fix/journal.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/array.h"
#include "lib/clock.h"
#include "lib/json_field.h"
#include "lib/log.h"
#include "lib/nodefile.h"
#include "lib/text.h"

#define JOURNAL_VERSION 1

static const char *const kind_names[] = {
	[JOURNAL_VETH_HOST] = "veth_host_end",
	[JOURNAL_VETH_POD] = "veth_pod_end",
	[JOURNAL_OVS_MTU_REQUEST] = "ovs_mtu_request",
};

const char *journal_kind_name(enum journal_kind kind)
{
	return kind_names[kind];
}

static int parse_kind(const char *s, enum journal_kind *out)
{
	size_t i;

	for (i = 0; s && i < sizeof(kind_names) / sizeof(kind_names[0]); i++) {
		if (!strcmp(s, kind_names[i])) {
			*out = (enum journal_kind)i;
			return 0;
		}
	}
	return -EBADMSG;
}

static bool uint_in(struct json_object *o, const char *key, long min, long max, unsigned int *out)
{
	struct json_object *v;
	long n;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return false;
	n = (long)json_object_get_int64(v);
	if (n < min || n > max)
		return false;
	*out = (unsigned int)n;
	return true;
}

/* Copies @s into @dst of @size: false when absent or too long. */
static bool copy_str(char *dst, size_t size, const char *s)
{
	if (!s || strlen(s) >= size)
		return false;
	strcpy(dst, s);
	text_clean(dst);
	return true;
}

/* One change as fix wrote it; anything else is an edited journal. */
static int parse_entry(struct json_object *o, struct journal_entry *e)
{
	struct json_object *pod;
	unsigned int ifindex;
	long min_mtu;

	memset(e, 0, sizeof(*e));
	if (!json_object_is_type(o, json_type_object) ||
	    parse_kind(json_string_field(o, "kind"), &e->kind) ||
	    !copy_str(e->time, sizeof(e->time), json_string_field(o, "time")) ||
	    !copy_str(e->iface, sizeof(e->iface), json_string_field(o, "iface")) ||
	    !uint_in(o, "ifindex", 0, 0x7fffffff, &ifindex))
		return -EBADMSG;
	e->ifindex = (int)ifindex;
	/* An mtu_request can be unset (0); an MTU cannot be below IPv4's 68. */
	min_mtu = e->kind == JOURNAL_OVS_MTU_REQUEST ? 0 : 68;
	if (!uint_in(o, "before", min_mtu, 65535, &e->before) ||
	    !uint_in(o, "after", min_mtu, 65535, &e->after))
		return -EBADMSG;
	if (json_string_field(o, "netns") &&
	    !copy_str(e->netns, sizeof(e->netns), json_string_field(o, "netns")))
		return -EBADMSG;
	if (json_object_object_get_ex(o, "pod", &pod) &&
	    json_object_is_type(pod, json_type_object)) {
		if (!copy_str(e->pod.ns, sizeof(e->pod.ns), json_string_field(pod, "namespace")) ||
		    !copy_str(e->pod.name, sizeof(e->pod.name), json_string_field(pod, "name")))
			return -EBADMSG;
		e->named = true;
	}
	return 0;
}

static int load(struct journal *j)
{
	struct json_object *root, *changes;
	char *text;
	size_t len, i, n;
	int err = nodefile_read(j->path, NODEFILE_MAX, &text, &len);

	if (err == -ENOENT)
		return 0;
	if (err) {
		pr_err("cannot read the journal %s: %s", j->path, nodefile_strerror(err));
		return err;
	}
	root = json_tokener_parse(text);
	free(text);
	err = -EBADMSG;
	if (!root || !json_object_object_get_ex(root, "changes", &changes) ||
	    !json_object_is_type(changes, json_type_array))
		goto out;
	n = json_object_array_length(changes);
	for (i = 0; i < n; i++) {
		struct journal_entry *e = ARRAY_PUSH(j->v, j->n);

		if (!e) {
			err = -ENOMEM;
			goto out;
		}
		if (parse_entry(json_object_array_get_idx(changes, i), e))
			goto out;
	}
	err = 0;
out:
	json_object_put(root);
	if (err == -EBADMSG)
		pr_err("the journal %s is not one mtuguard fix wrote (edited, or from another "
		       "version): nothing was changed; move it aside to start afresh",
		       j->path);
	return err;
}

static struct json_object *entry_json(const struct journal_entry *e)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "time", json_object_new_string(e->time));
	json_object_object_add(o, "kind", json_object_new_string(kind_names[e->kind]));
	json_object_object_add(o, "iface", json_object_new_string(e->iface));
	json_object_object_add(o, "ifindex", json_object_new_int(e->ifindex));
	if (e->netns[0])
		json_object_object_add(o, "netns", json_object_new_string(e->netns));
	if (e->named) {
		struct json_object *pod = json_object_new_object();

		json_object_object_add(pod, "namespace", json_object_new_string(e->pod.ns));
		json_object_object_add(pod, "name", json_object_new_string(e->pod.name));
		json_object_object_add(o, "pod", pod);
	}
	json_object_object_add(o, "before", json_object_new_int((int)e->before));
	json_object_object_add(o, "after", json_object_new_int((int)e->after));
	return o;
}

/* Writes the journal to a new file and renames it over the old one, so
 * that a crash leaves the old journal or the new, never half of one. */
static int save(struct journal *j)
{
	struct json_object *root, *changes;
	char tmp[PATH_MAX + 8];
	const char *text;
	size_t i;
	FILE *f;
	int err = 0;

	if (!j->n)
		return unlink(j->path) && errno != ENOENT ? -errno : 0;
	root = json_object_new_object();
	changes = json_object_new_array();
	json_object_object_add(root, "mtuguard_fix_journal", json_object_new_int(JOURNAL_VERSION));
	for (i = 0; i < j->n; i++)
		json_object_array_add(changes, entry_json(&j->v[i]));
	json_object_object_add(root, "changes", changes);
	text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY);
	snprintf(tmp, sizeof(tmp), "%s.new", j->path);
	f = fopen(tmp, "w");
	if (!f || fprintf(f, "%s\n", text) < 0 || fflush(f) || fsync(fileno(f)))
		err = -errno;
	if (f && fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, j->path))
		err = -errno;
	json_object_put(root);
	if (err) {
		unlink(tmp);
		pr_err("cannot write the journal %s: %s", j->path, strerror(-err));
	}
	return err;
}

int journal_open(const char *dir, struct journal *j)
{
	char lock[PATH_MAX + 8];
	int err;

	memset(j, 0, sizeof(*j));
	j->lock_fd = -1;
	if (!dir[0] || strlen(dir) + sizeof("/journal.json") > sizeof(j->path)) {
		pr_err("--state-dir '%s' is not a usable directory name", dir);
		return -EINVAL;
	}
	snprintf(j->dir, sizeof(j->dir), "%s", dir);
	snprintf(j->path, sizeof(j->path), "%s/journal.json", dir);
	if (mkdir(dir, 0700) && errno != EEXIST) {
		err = -errno;
		pr_err("cannot make the state directory %s: %s", dir, strerror(-err));
		return err;
	}
	snprintf(lock, sizeof(lock), "%s/lock", dir);
	j->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (j->lock_fd < 0) {
		err = -errno;
		pr_err("cannot open %s: %s (is %s a directory mtuguard may write?)", lock,
		       strerror(-err), dir);
		return err;
	}
	if (flock(j->lock_fd, LOCK_EX | LOCK_NB)) {
		err = errno == EWOULDBLOCK ? -EBUSY : -errno;
		pr_err("another mtuguard fix is running (it holds %s); let it finish first", lock);
		journal_close(j);
		return err;
	}
	j->locked = true;
	err = load(j);
	if (err)
		journal_close(j);
	return err;
}

int journal_append(struct journal *j, const struct journal_entry *e)
{
	struct journal_entry *slot = ARRAY_PUSH(j->v, j->n);

	if (!slot)
		return -ENOMEM;
	*slot = *e;
	format_rfc3339_now(slot->time, sizeof(slot->time));
	return save(j);
}

int journal_truncate(struct journal *j, size_t from)
{
	if (from < j->n)
		j->n = from;
	return save(j);
}

void journal_close(struct journal *j)
{
	/* Touched, then released: a running watch sees that a fix ended
	 * (events/fix_marker.h). */
	if (j->locked)
		futimens(j->lock_fd, NULL);
	if (j->lock_fd >= 0)
		close(j->lock_fd);
	j->locked = false;
	free(j->v);
	j->v = NULL;
	j->n = 0;
	j->lock_fd = -1;
}
