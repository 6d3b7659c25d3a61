// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* libFuzzer target: antrea-agent.conf (YAML). */
#include "cni/antrea_config.h"
#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct antrea_config cfg;
	char path[64];
	int fd = fuzz_as_file(data, size, path, sizeof(path));

	fuzz_quiet();
	if (fd < 0)
		return 0;
	if (!antrea_config_load(path, &cfg))
		(void)policy_expected_pod_mtu(&cfg.policy, 1500);
	close(fd);
	return 0;
}
