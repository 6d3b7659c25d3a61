// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The HTTP side of the metrics: libmicrohttpd on its own thread, /metrics
 * rendered under the lock on each scrape, /healthz and /readyz; who may
 * hold a connection is report/http_guard.h's. */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <errno.h>

#include "lib/log.h"
#include "report/http_guard.h"
#include "report/metrics.h"

#define CONTENT_TYPE_METRICS "text/plain; version=0.0.4; charset=utf-8"

/* Connections in all, waiting or answered: far below the descriptors a
 * watch may open, far above what Prometheus and the probes need. */
#define CONNECTIONS_MAX 512
/* Idle seconds before libmicrohttpd closes a connection (a slow reader
 * of the answer included; a slow writer is the guard's). */
#define IDLE_TIMEOUT_S 10U

struct metrics {
	struct MHD_Daemon *daemon;
	struct http_guard *guard;
	struct metrics_source src;
	pthread_mutex_t lock;
	bool ready;
};

static enum MHD_Result respond(struct MHD_Connection *conn, unsigned int status, const char *type,
			       char *body, size_t len)
{
	struct MHD_Response *resp =
		MHD_create_response_from_buffer_with_free_callback(len, body, free);
	enum MHD_Result ret;

	if (!resp) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result respond_text(struct MHD_Connection *conn, unsigned int status,
				    const char *text)
{
	char *body = strdup(text);

	return body ? respond(conn, status, "text/plain; charset=utf-8", body, strlen(body))
		    : MHD_NO;
}

/* The guard's handle for a connection (set when it was opened). */
static struct http_conn *conn_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return info ? info->socket_context : NULL;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode what)
{
	struct metrics *m = cls;
	const union MHD_ConnectionInfo *fd, *peer;

	if (what == MHD_CONNECTION_NOTIFY_CLOSED) {
		http_guard_closed(m->guard, *socket_context);
		*socket_context = NULL;
		return;
	}
	fd = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	peer = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (fd)
		*socket_context = http_guard_opened(m->guard, fd->connect_fd,
						    peer ? peer->client_addr : NULL);
}

static void on_answered(void *cls, struct MHD_Connection *conn, void **state,
			enum MHD_RequestTerminationCode how)
{
	struct metrics *m = cls;

	(void)state;
	(void)how;
	http_guard_answered(m->guard, conn_of(conn));
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **state)
{
	struct metrics *m = cls;
	char *body = NULL;
	size_t len = 0;
	FILE *out;
	int err;

	(void)version;
	(void)upload;
	(void)upload_size;
	(void)state;
	http_guard_answering(m->guard, conn_of(conn));
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return respond_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "GET only\n");
	if (!strcmp(url, "/healthz"))
		return respond_text(conn, MHD_HTTP_OK, "ok\n");
	if (!strcmp(url, "/readyz"))
		return m->ready ? respond_text(conn, MHD_HTTP_OK, "ready\n")
				: respond_text(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "attaching\n");
	if (strcmp(url, "/metrics"))
		return respond_text(conn, MHD_HTTP_NOT_FOUND,
				    "mtuguard: see /metrics, /healthz and /readyz\n");
	out = open_memstream(&body, &len);
	if (!out)
		return MHD_NO;
	metrics_lock(m);
	err = metrics_render(&m->src, out);
	metrics_unlock(m);
	fclose(out);
	if (err) {
		free(body);
		return respond_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
				    "cannot read the counters\n");
	}
	return respond(conn, MHD_HTTP_OK, CONTENT_TYPE_METRICS, body, len);
}

bool metrics_parse_addr(const char *s, struct sockaddr_storage *out)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)out;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)out;
	const char *colon = strrchr(s, ':');
	char host[64];
	char *end;
	long port;

	memset(out, 0, sizeof(*out));
	if (!colon) {
		/* A bare port: loopback only, unless an address says otherwise. */
		port = strtol(s, &end, 10);
		if (*end || end == s || port < 1 || port > 65535)
			goto bad;
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		in4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return true;
	}
	if ((size_t)(colon - s) >= sizeof(host))
		goto bad;
	port = strtol(colon + 1, &end, 10);
	if (*end || end == colon + 1 || port < 1 || port > 65535)
		goto bad;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		host[strlen(host) - 1] = '\0';
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host + 1, &in6->sin6_addr) == 1)
			return true;
		goto bad;
	}
	in4->sin_family = AF_INET;
	in4->sin_port = htons((uint16_t)port);
	if (!host[0] || inet_pton(AF_INET, host, &in4->sin_addr) == 1)
		return true; /* ":PORT": every address */
bad:
	pr_err("--metrics takes PORT (loopback), ADDR:PORT or :PORT (every address), not '%s'", s);
	return false;
}

/* libmicrohttpd's own messages, at -vv: ours say what to do. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	pr_debug("libmicrohttpd: %s", msg);
}

struct metrics *metrics_start(const struct sockaddr_storage *addr, const char *addr_text,
			      const struct metrics_source *src,
			      const struct http_guard_limits *limits)
{
	struct metrics *m = calloc(1, sizeof(*m));
	/* epoll, not select(): a watch over 500 Pods with TCX holds two link
	 * fds per Pod, and select() cannot take a socket past FD_SETSIZE. */
	unsigned int flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG;

	if (!m)
		return NULL;
	m->src = *src;
	m->src.ready = &m->ready;
	m->guard = http_guard_new(limits);
	if (!m->guard) {
		pr_err("cannot serve metrics: %s", strerror(errno));
		free(m);
		return NULL;
	}
	pthread_mutex_init(&m->lock, NULL);
	if (addr->ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	m->daemon = MHD_start_daemon(flags, 0, NULL, NULL, handle, m, MHD_OPTION_SOCK_ADDR, addr,
				     MHD_OPTION_CONNECTION_TIMEOUT, IDLE_TIMEOUT_S,
				     MHD_OPTION_CONNECTION_LIMIT, (unsigned int)CONNECTIONS_MAX,
				     MHD_OPTION_NOTIFY_CONNECTION, on_connection, m,
				     MHD_OPTION_NOTIFY_COMPLETED, on_answered, m,
				     MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_END);
	if (!m->daemon) {
		pr_err("cannot serve metrics on %s: the port is in use or the address is not "
		       "this node's; choose another --metrics",
		       addr_text);
		http_guard_free(m->guard);
		pthread_mutex_destroy(&m->lock);
		free(m);
		return NULL;
	}
	return m;
}

int metrics_check_addr(const struct sockaddr_storage *addr, const char *addr_text)
{
	socklen_t len = addr->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
						    : sizeof(struct sockaddr_in);
	int fd = socket(addr->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1, err = 0;

	if (fd < 0)
		return 0; /* cannot tell: the server will say */
	/* As libmicrohttpd binds: a port in TIME_WAIT is free, one listened on is not. */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)addr, len)) {
		err = -errno;
		pr_err("cannot serve metrics on %s: %s; choose another --metrics", addr_text,
		       err == -EADDRINUSE      ? "the port is in use"
		       : err == -EADDRNOTAVAIL ? "the address is not this node's"
					       : strerror(-err));
	}
	close(fd);
	return err;
}

void metrics_set_ready(struct metrics *m, bool ready)
{
	if (m)
		m->ready = ready;
}

void metrics_lock(struct metrics *m)
{
	if (m)
		pthread_mutex_lock(&m->lock);
}

void metrics_unlock(struct metrics *m)
{
	if (m)
		pthread_mutex_unlock(&m->lock);
}

void metrics_stop(struct metrics *m)
{
	if (!m)
		return;
	MHD_stop_daemon(m->daemon); /* closes every connection: the guard's too */
	http_guard_free(m->guard);
	pthread_mutex_destroy(&m->lock);
	free(m);
}
