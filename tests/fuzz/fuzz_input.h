/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the fuzz targets share: the readers under test take paths, so the
 * input is handed over as an in-memory file (memfd) under /proc/self/fd.
 */
#ifndef MTUGUARD_FUZZ_INPUT_H
#define MTUGUARD_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/log.h"

/* Writes @data to a fresh memfd and its path into @path; returns the fd. */
static inline int fuzz_as_file(const uint8_t *data, size_t size, char *path, size_t path_size)
{
	int fd = memfd_create("fuzz", MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return -1;
	}
	snprintf(path, path_size, "/proc/self/fd/%d", fd);
	return fd;
}

static inline void fuzz_quiet(void)
{
	log_set_level(LOG_SILENT);
}

#endif
