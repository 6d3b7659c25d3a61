// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "lib/nodefile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void host_path(char *buf, size_t size, const char *host_root, const char *path)
{
	size_t n;

	if (!host_root || !*host_root || !strcmp(host_root, "/") || path[0] != '/') {
		snprintf(buf, size, "%s", path);
		return;
	}
	n = strlen(host_root);
	while (n > 1 && host_root[n - 1] == '/')
		n--;
	snprintf(buf, size, "%.*s%s", (int)n, host_root, path);
}

int nodefile_read(const char *path, size_t max, char **out, size_t *len)
{
	struct stat st;
	size_t got = 0;
	char *buf;
	int fd, err = 0;

	*out = NULL;
	*len = 0;
	/* O_NONBLOCK: opening a FIFO for reading would wait for a writer. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		err = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		err = S_ISDIR(st.st_mode) ? -EISDIR : -ENXIO;
		goto out;
	}
	if ((size_t)st.st_size > max) {
		err = -EFBIG;
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		err = -ENOMEM;
		goto out;
	}
	/* A file that grows while we read it is cut at the size it had. */
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n < 0)
				err = -errno;
			break;
		}
		got += (size_t)n;
	}
	if (err) {
		free(buf);
		goto out;
	}
	buf[got] = '\0';
	*out = buf;
	*len = got;
out:
	close(fd);
	return err;
}

int nodefile_read_uint(const char *path, unsigned long max, unsigned long *out)
{
	unsigned long v;
	char *text, *end;
	size_t len;
	int err = nodefile_read(path, 64, &text, &len);

	if (err)
		return err;
	errno = 0;
	v = strtoul(text, &end, 10);
	while (*end == '\n' || *end == ' ' || *end == '\r')
		end++;
	err = (end == text || *end || errno || text[0] == '-' || v > max) ? -EINVAL : 0;
	free(text);
	if (!err)
		*out = v;
	return err;
}

int nodefile_env_value(const char *path, const char *key, char *buf, size_t size)
{
	size_t klen = strlen(key), len;
	char *text, *line, *save = NULL;
	int err = nodefile_read(path, NODEFILE_MAX, &text, &len);

	if (err)
		return err;
	err = -ENODATA;
	for (line = strtok_r(text, "\n", &save); line && err; line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, key, klen) && line[klen] == '=') {
			snprintf(buf, size, "%s", line + klen + 1);
			err = 0;
		}
	}
	free(text);
	return err;
}

const char *nodefile_strerror(int err)
{
	if (err == -ENXIO)
		return "not a regular file";
	if (err == -EISDIR)
		return "a directory";
	if (err == -EFBIG)
		return "larger than a node file can be (1 MiB)";
	return strerror(-err);
}
