/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The node's own files, read the careful way: looked up under the host root
 * (the DaemonSet mounts the node's / at /host), opened without blocking
 * (a FIFO in a config directory must not hang the watch), only regular
 * files, and never more than a bound (a real CNI config or cache entry is
 * a few KB; a 9 MB one, or a link to /dev/zero, is not one).
 */
#ifndef MTUGUARD_NODEFILE_H
#define MTUGUARD_NODEFILE_H

#include <stddef.h>

/* What is read of one node file at most. */
#define NODEFILE_MAX (1 << 20)

/* "<host_root><path>" into @buf, one '/' between them ("/" and "" add
 * nothing). A @path that does not start with '/' is taken as given. */
void host_path(char *buf, size_t size, const char *host_root, const char *path);
/* Reads @path whole into a NUL-terminated malloc'd *@out (length *@len).
 * -errno from open (-ENOENT, -EACCES, ...), -EISDIR for a directory,
 * -ENXIO for anything else that is not a regular file (a FIFO, a socket, a
 * device), -EFBIG past @max bytes. Does not report. */
int nodefile_read(const char *path, size_t max, char **out, size_t *len);
/* A file holding one number (Calico's /var/lib/calico/mtu: digits, maybe a
 * newline): -EINVAL when it holds anything else or more than @max. */
int nodefile_read_uint(const char *path, unsigned long max, unsigned long *out);
/* The value of KEY=VALUE in a shell-style env file (Flannel's subnet.env):
 * -ENOENT for a missing file, -ENODATA for a missing key. */
int nodefile_env_value(const char *path, const char *key, char *buf, size_t size);
/* One phrase for what nodefile_read returned: "not a regular file",
 * "larger than 1 MiB", or strerror. */
const char *nodefile_strerror(int err);

#endif
