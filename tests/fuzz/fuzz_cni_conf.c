// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target: the first file of a CNI conf dir, read as the runtime
 * reads it (Multus followed), then detection and every module's load from
 * it: what the JSON holds must never crash or be taken for an MTU it is not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cni/cni.h"
#include "cni/conf.h"
#include "fuzz_input.h"

static char dir[64];

/* The scratch conf dir goes when the fuzzer exits. */
static void remove_dir(void)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/10-fuzz.conflist", dir);
	unlink(path);
	rmdir(dir);
}

static void write_input(const uint8_t *data, size_t size)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/10-fuzz.conflist", dir);
	f = fopen(path, "w");
	if (!f)
		return;
	fwrite(data, 1, size, f);
	fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const links[] = { "eth0", "vxlan.calico", "flannel.1" };
	struct cni *all[CNI_MODULES_MAX];
	char name[32], why[4200];
	struct cni_conf conf;
	size_t n, i;

	fuzz_quiet();
	if (!dir[0]) {
		strcpy(dir, "/tmp/mtuguard-fuzz-conf-XXXXXX");
		if (!mkdtemp(dir))
			abort();
		atexit(remove_dir);
	}
	write_input(data, size);
	cni_conf_read(dir, "/", &conf);
	cni_detect(&conf, links, 3, name, sizeof(name), why, sizeof(why));
	n = cni_new_all(all);
	for (i = 0; i < n; i++) {
		struct cni_env env = { .host_root = dir, .conf = &conf };
		const char *uplink = NULL;

		(void)cni_load(all[i], &env, &uplink);
		cni_free(all[i]);
	}
	cni_conf_free(&conf);
	return 0;
}
