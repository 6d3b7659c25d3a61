// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target: fix's journal as `fix --undo` reads it. Whatever the
 * file holds (edited, truncated, another program's), it is read whole and
 * valid, or refused: never a crash, never an entry out of bounds.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fix/journal.h"
#include "fuzz_input.h"

static char dir[64];

static void remove_dir(void)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/journal.json", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/lock", dir);
	unlink(path);
	rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct journal j;
	char path[128];
	size_t i;
	FILE *f;

	fuzz_quiet();
	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/mtuguard-fuzz-journal-XXXXXX");
		if (!mkdtemp(dir))
			abort();
		atexit(remove_dir);
	}
	snprintf(path, sizeof(path), "%s/journal.json", dir);
	f = fopen(path, "w");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	if (journal_open(dir, &j))
		return 0;
	for (i = 0; i < j.n; i++) {
		/* What undo relies on: named, bounded, an MTU it can set. */
		if (!memchr(j.v[i].iface, '\0', sizeof(j.v[i].iface)) ||
		    (j.v[i].kind != JOURNAL_OVS_MTU_REQUEST && j.v[i].before < 68) ||
		    j.v[i].after > 65535)
			abort();
	}
	journal_close(&j);
	return 0;
}
