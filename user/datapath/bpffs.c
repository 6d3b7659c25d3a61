// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "datapath/bpffs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "lib/log.h"
#include "mtuguard.h"

#define BPFFS_DEFAULT_MOUNT "/sys/fs/bpf"

/* Every map guard.c pins (all of the observer's but its read-only data)
 * and the assist's own (datapath/assist.c): what `detach` removes. */
static const char *const pinned_maps[] = {
	MG_MAP_IFACES,	       MG_MAP_IFACE_SPOTS, MG_MAP_NODE,	       MG_MAP_LOCAL_DSTS,
	MG_MAP_COUNTERS,       MG_MAP_FLOWS,	   MG_MAP_STATS,       MG_MAP_DROPS,
	MG_MAP_ROUTES,	       MG_MAP_EVENTS,	   MG_MAP_FAST_COUNTS, MG_MAP_ASSIST_COUNTS,
	MG_MAP_ASSIST_ANSWERS,
};

static bool is_bpffs(const char *path)
{
	struct statfs st;

	return !statfs(path, &st) && st.f_type == BPF_FS_MAGIC;
}

int bpffs_prepare(const char *pin_dir)
{
	char parent[4096];
	char *slash;

	snprintf(parent, sizeof(parent), "%s", pin_dir);
	slash = strrchr(parent, '/');
	if (!slash || slash == parent) {
		pr_err("pin directory '%s' must be an absolute path below a bpffs mount", pin_dir);
		return -EINVAL;
	}
	*slash = '\0';
	if (is_bpffs(parent))
		return 0;
	if (!strncmp(pin_dir, BPFFS_DEFAULT_MOUNT "/", strlen(BPFFS_DEFAULT_MOUNT "/")) &&
	    !is_bpffs(BPFFS_DEFAULT_MOUNT)) {
		pr_info("mounting bpffs on " BPFFS_DEFAULT_MOUNT);
		if (mount("bpf", BPFFS_DEFAULT_MOUNT, "bpf", 0, "mode=0700")) {
			int err = -errno;

			pr_err("cannot mount bpffs on " BPFFS_DEFAULT_MOUNT " (%s); "
			       "mount it with `mount -t bpf bpf " BPFFS_DEFAULT_MOUNT "`",
			       strerror(-err));
			return err;
		}
		if (is_bpffs(parent))
			return 0;
	}
	pr_err("'%s' is not on a bpf filesystem; choose --pin below a bpffs mount "
	       "(default " MG_DEFAULT_PIN_DIR ")",
	       parent);
	return -ENOTSUP;
}

int pin_dir_check(const char *pin_dir)
{
	struct stat st;

	if (pin_dir[0] != '/') {
		pr_err("--pin takes an absolute path below a bpffs mount, not '%s'", pin_dir);
		return -EINVAL;
	}
	if (stat(pin_dir, &st))
		return -ENOENT;
	if (!S_ISDIR(st.st_mode) || !is_bpffs(pin_dir)) {
		pr_err("%s is not a directory on a bpf filesystem: not mtuguard's pins, and "
		       "nothing "
		       "in it is touched",
		       pin_dir);
		return -EINVAL;
	}
	return 0;
}

void pin_path(char *buf, size_t size, const char *pin_dir, const char *name)
{
	snprintf(buf, size, "%s/%s", pin_dir, name);
}

void pin_prog_path(char *buf, size_t size, const char *pin_dir, const char *name)
{
	snprintf(buf, size, "%s/" MG_PIN_PROGS_SUBDIR "/%s", pin_dir, name);
}

void pin_progs_remove(const char *pin_dir)
{
	char dir[4096], path[4400];
	struct dirent *de;
	DIR *d;

	pin_path(dir, sizeof(dir), pin_dir, MG_PIN_PROGS_SUBDIR);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (unlink(path))
			pr_warn("cannot remove %s: %s", path, strerror(errno));
	}
	closedir(d);
}

void pin_link_path(char *buf, size_t size, const char *pin_dir, const char *name)
{
	snprintf(buf, size, "%s/" MG_PIN_LINKS_SUBDIR "/%s", pin_dir, name);
}

int pin_dir_lock(const char *pin_dir, bool create)
{
	char links[4096];
	int fd, err;

	if (create) {
		char progs[4096];

		pin_path(links, sizeof(links), pin_dir, MG_PIN_LINKS_SUBDIR);
		pin_path(progs, sizeof(progs), pin_dir, MG_PIN_PROGS_SUBDIR);
		if ((mkdir(pin_dir, 0700) && errno != EEXIST) ||
		    (mkdir(links, 0700) && errno != EEXIST) ||
		    (mkdir(progs, 0700) && errno != EEXIST)) {
			err = -errno;
			pr_err("cannot create pin directory %s: %s", pin_dir, strerror(-err));
			return err;
		}
	}
	fd = open(pin_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		err = errno == EWOULDBLOCK ? -EBUSY : -errno;
		close(fd);
		return err;
	}
	return fd;
}

int pin_dir_remove(const char *pin_dir, int *removed, bool remove_dirs)
{
	char path[4096];
	size_t i;

	for (i = 0; i < sizeof(pinned_maps) / sizeof(pinned_maps[0]); i++) {
		pin_path(path, sizeof(path), pin_dir, pinned_maps[i]);
		if (!unlink(path))
			(*removed)++;
		else if (errno != ENOENT)
			pr_warn("cannot remove %s: %s", path, strerror(errno));
	}
	if (!remove_dirs)
		return 0;
	pin_progs_remove(pin_dir);
	pin_path(path, sizeof(path), pin_dir, MG_PIN_PROGS_SUBDIR);
	if (rmdir(path) && errno != ENOENT)
		pr_warn("cannot remove %s: %s", path, strerror(errno));
	pin_path(path, sizeof(path), pin_dir, MG_PIN_LINKS_SUBDIR);
	if (rmdir(path) && errno != ENOENT)
		pr_warn("cannot remove %s: %s", path, strerror(errno));
	if (rmdir(pin_dir) && errno != ENOENT) {
		int err = -errno;

		pr_warn("cannot remove %s: %s (something else is pinned there)", pin_dir,
			strerror(-err));
		return err;
	}
	return 0;
}
