// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* libFuzzer target: an OVSDB JSON-RPC reply to our transact. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"
#include "podid/ovsdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ovs_ports ports;
	char *json = malloc(size + 1);

	fuzz_quiet();
	if (!json)
		return 0;
	memcpy(json, data, size);
	json[size] = '\0';
	if (!ovsdb_parse_ports_reply(json, &ports)) {
		(void)ovs_find_by_antrea_type(&ports, "tunnel");
		ovs_ports_free(&ports);
	}
	free(json);
	return 0;
}
