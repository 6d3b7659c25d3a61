// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* libFuzzer target: the static Pod map (--pod-map). */
#include "fuzz_input.h"
#include "podid/podid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pod_table table = { 0 };
	char path[64];
	int fd = fuzz_as_file(data, size, path, sizeof(path));

	fuzz_quiet();
	if (fd < 0)
		return 0;
	if (!pod_map_load(path, &table) && table.n)
		(void)pod_table_find(&table, table.entries[table.n - 1].host_ifname);
	pod_table_free(&table);
	close(fd);
	return 0;
}
