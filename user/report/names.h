/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Names of the ABI's enums and packet fields as they appear in output:
 * snake_case, stable (the JSON schema in the README uses them).
 */
#ifndef MTUGUARD_NAMES_H
#define MTUGUARD_NAMES_H

#include <stddef.h>

#include "mtuguard.h"

const char *hook_name(unsigned int hook);	    /* "pod_ingress", ... */
const char *class_name(unsigned int class);	    /* "too_big", ... */
const char *limit_source_name(unsigned int source); /* "path_mtu", ... */
const char *family_name(unsigned int family);	    /* "ipv4", "ipv6" */
const char *proto_name(unsigned int proto);	    /* "tcp", "udp", "icmp", "ipv6-icmp"... */
/* The address in text form; buf needs 46 bytes (INET6_ADDRSTRLEN). */
const char *addr_str(const struct mg_addr *a, char *buf, size_t size);

#endif
