// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The metrics server with more descriptors open than select() can take (a
 * watch over 500 Pods with TCX holds two link fds each): it still starts
 * and answers its probes; and a busy port is seen before anything starts.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/log.h"
#include "report/metrics.h"

#define PORT "19481"

/* GET @path from 127.0.0.1:PORT; the status line into @buf. */
static int get(const char *path, char *buf, size_t size)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(19481) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	char req[128];
	ssize_t n;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)))
		return -1;
	snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\n\r\n", path);
	if (write(fd, req, strlen(req)) < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

static void test_serves_past_fd_setsize(void **state)
{
	struct rlimit rl = { .rlim_cur = 4 * FD_SETSIZE, .rlim_max = 4 * FD_SETSIZE };
	int fds[FD_SETSIZE + 64];
	struct sockaddr_storage addr;
	struct metrics_source src = { .drops_fd = -1 };
	struct metrics *m;
	char reply[512];
	size_t i;

	(void)state;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		fds[i] = dup(0);
	assert_true(fds[FD_SETSIZE] >= (int)FD_SETSIZE);
	assert_true(metrics_parse_addr(PORT, &addr));
	m = metrics_start(&addr, PORT, &src);
	assert_non_null(m);
	assert_int_equal(get("/healthz", reply, sizeof(reply)), 0);
	assert_non_null(strstr(reply, "200"));
	/* The port is taken now: the early check says so. */
	assert_int_not_equal(metrics_check_addr(&addr, PORT), 0);
	metrics_stop(m);
	assert_int_equal(metrics_check_addr(&addr, PORT), 0);
	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		close(fds[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_serves_past_fd_setsize),
	};

	log_set_level(LOG_SILENT);
	return cmocka_run_group_tests_name("metrics http", tests, NULL, NULL);
}
