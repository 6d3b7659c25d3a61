/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The pin directory on bpffs: mounting bpffs where it is absent, the lock
 * that keeps two watches off one directory, and the paths of what mtuguard
 * pins there (maps at the top, links under links/).
 */
#ifndef MTUGUARD_BPFFS_H
#define MTUGUARD_BPFFS_H

#include <stdbool.h>
#include <stddef.h>

#define MG_DEFAULT_PIN_DIR "/sys/fs/bpf/mtuguard"
#define MG_PIN_LINKS_SUBDIR "links"
/* The TC programs of the watch that holds the directory: a clsact filter
 * is this directory's only when it runs one of them (filters have no pins
 * of their own, and another pin directory's watch runs programs of the same
 * names). */
#define MG_PIN_PROGS_SUBDIR "progs"

/* Makes sure @pin_dir's parent is on bpffs, mounting bpffs on
 * /sys/fs/bpf when the directory is below it and nothing is mounted
 * there (as on machines that do not mount it at boot). */
int bpffs_prepare(const char *pin_dir);
/* Creates @pin_dir and its links/ and takes an exclusive lock on it;
 * returns the locked fd, or -EBUSY when another mtuguard holds it. */
int pin_dir_lock(const char *pin_dir, bool create);
/* A --pin given to detach or stats: an absolute path to a directory on
 * bpffs (where only pinned objects can be: nothing else is ever removed).
 * 0, -ENOENT when it does not exist (nothing pinned), or -EINVAL after
 * saying what is wrong with it. */
int pin_dir_check(const char *pin_dir);
/* "<pin_dir>/<name>" into buf. */
void pin_path(char *buf, size_t size, const char *pin_dir, const char *name);
/* "<pin_dir>/progs/<name>" into buf. */
void pin_prog_path(char *buf, size_t size, const char *pin_dir, const char *name);
/* Removes the program pins under <pin_dir>/progs. */
void pin_progs_remove(const char *pin_dir);
/* "<pin_dir>/links/<name>" into buf. */
void pin_link_path(char *buf, size_t size, const char *pin_dir, const char *name);
/* Removes the map pins mtuguard makes, counting them in *removed, and
 * with @remove_dirs the directories too (they must be empty by then). */
int pin_dir_remove(const char *pin_dir, int *removed, bool remove_dirs);

#endif
