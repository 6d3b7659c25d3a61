/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Pod identity: which Kubernetes Pod owns a host-side veth. Two of the
 * sources the registry (registry.h) tries are read here: the container
 * runtime's libcni result cache and a static map file (OVSDB: ovsdb.h).
 *
 * The libcni cache is kept by containerd and CRI-O for every Pod, whatever
 * the CNI:
 *   <dir>/results/<network>-<containerID>-<ifName>
 * JSON with "kind": "cniCacheV1", "cniArgs" pairs (K8S_POD_NAMESPACE,
 * K8S_POD_NAME), "netns", and "result.interfaces", whose entry without a
 * "sandbox" is the host-side veth.
 */
#ifndef MTUGUARD_PODID_H
#define MTUGUARD_PODID_H

#include <net/if.h>
#include <stddef.h>

#define POD_NS_MAX 64 /* Kubernetes namespace: DNS label, 63 chars */
/* A libcni cache entry is a few KB (the conflist, base64, and the result);
 * one past this is not one, and is not read (a 9 MB file took 1.29 GB). */
#define CNI_CACHE_ENTRY_MAX (256 * 1024)
#define POD_NAME_MAX 254 /* Pod name: DNS subdomain, 253 chars */

struct pod_ref {
	char ns[POD_NS_MAX];
	char name[POD_NAME_MAX];
	char netns[256]; /* the sandbox's netns path, as the runtime wrote it */
};

struct pod_entry {
	char host_ifname[IF_NAMESIZE];
	struct pod_ref pod;
};

/* Host-side interface name -> Pod. */
struct pod_table {
	struct pod_entry *entries;
	size_t n;
};

/* Reads every file of <dir>/results. A file that is not a libcni cache
 * entry, is not a regular file, or is larger than CNI_CACHE_ENTRY_MAX gets
 * a warning and is skipped; a missing directory is an empty cache (returns
 * -ENOENT so the caller can say so when it matters). */
int cni_cache_load(const char *dir, struct pod_table *cache);
/* Parses one cache file and appends its entry; -EINVAL when malformed,
 * -ENAMETOOLONG when a name is longer than a namespace, a Pod or an
 * interface can be, nodefile_read's errors (-EACCES, -EISDIR, -ENXIO,
 * -EFBIG, ...) when it cannot be read as a node file. */
int cni_cache_parse_file(const char *path, struct pod_table *cache);
/* Reads a static map file: {"<host ifname>": {"namespace": "...", "name":
 * "..."}, ...}. Reports and returns -errno (-EINVAL when malformed). */
int pod_map_load(const char *path, struct pod_table *map);
const struct pod_ref *pod_table_find(const struct pod_table *cache, const char *host_ifname);
void pod_table_free(struct pod_table *cache);

#endif
