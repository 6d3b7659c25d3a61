// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* libFuzzer target: an OVSDB JSON-RPC reply to our transact. */
#include <stdlib.h>
#include <string.h>

#include "cni/cni.h"
#include "fuzz_input.h"
#include "podid/ovsdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cni *antrea; /* whose OVSDB keys the replies carry */
	struct ovs_ports ports;
	char *json = malloc(size + 1);

	fuzz_quiet();
	if (!antrea)
		antrea = cni_new("antrea");
	if (!json || !antrea) {
		free(json);
		return 0;
	}
	memcpy(json, data, size);
	json[size] = '\0';
	if (!ovsdb_parse_ports_reply(json, cni_ovsdb_keys(antrea), &ports)) {
		(void)ovs_find_by_role(&ports, "tunnel");
		ovs_ports_free(&ports);
	}
	free(json);
	return 0;
}
