// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "broker.h"
#include "broker_proto.h"
#include "system_cover.h"
#include "util.h"

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif

static volatile sig_atomic_t stopping;

/*
 * Each connection is served by a thread of its own, so that a client that
 * connects and says nothing holds up no one else; the maps' private sets
 * are written by one request at a time.
 */
static pthread_mutex_t sets_lock = PTHREAD_MUTEX_INITIALIZER;
#define MAX_CONNECTIONS 64
static atomic_int nr_connections;

static void on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

int broker_listen(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char dir[sizeof(addr.sun_path)], *slash;
	int fd;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		snprintf(err, errlen, "socket path too long: %s", path);
		return -1;
	}
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = 0;
		/* mkdir -p: /run may be all there is. */
		for (char *p = dir + 1;; p++) {
			bool last = *p == 0;

			if (*p != '/' && !last)
				continue;
			*p = 0;
			if (mkdir(dir, 0755) && errno != EEXIST) {
				snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
				return -1;
			}
			if (last)
				break;
			*p = '/';
		}
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	unlink(path);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) || chmod(path, 0666) ||
	    listen(fd, 64)) {
		snprintf(err, errlen, "cannot listen on %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

struct request_ctx {
	struct system *s;
	int conn;
	bool log;
	pid_t pid;
	struct broker_reply reply;
};

__attribute__((format(printf, 3, 4))) static int refuse(struct request_ctx *c, int status,
							const char *fmt, ...)
{
	va_list ap;

	c->reply.status = status;
	va_start(ap, fmt);
	vsnprintf(c->reply.message, sizeof(c->reply.message), fmt, ap);
	va_end(ap);
	if (c->log)
		fprintf(stderr, "secimport-bpf broker: pid %d refused: %s\n", c->pid,
			c->reply.message);
	return -1;
}

static bool str_ok(const char *s, size_t cap)
{
	return memchr(s, 0, cap) != NULL;
}

static int validate(struct request_ctx *c, const struct broker_request *r)
{
	const unsigned int known = SECIMPORT_ACT_LOG | SECIMPORT_ACT_KILL | SECIMPORT_ACT_DENY;

	if (r->magic != BROKER_MAGIC || r->version != BROKER_PROTO_VERSION)
		return refuse(c, EPROTO, "unknown request (protocol %u; this broker speaks %u)",
			      r->version, BROKER_PROTO_VERSION);
	if (!str_ok(r->module, sizeof(r->module)) ||
	    !policy_import_name_valid(r->module, strlen(r->module)))
		return refuse(c, EINVAL, "invalid module name");
	if (!r->action || (r->action & ~known))
		return refuse(c, EINVAL, "invalid action 0x%x", r->action);
	if (!r->nr_locs || r->nr_locs > BROKER_MAX_LOCS)
		return refuse(c, EINVAL, "a module needs 1 to %d locations", BROKER_MAX_LOCS);
	for (__u32 i = 0; i < r->nr_locs; i++) {
		const struct broker_location *l = &r->locs[i];

		if (!str_ok(l->path, sizeof(l->path)) ||
		    !policy_location_valid(l->path, strlen(l->path)))
			return refuse(c, EINVAL, "invalid module location");
	}
	if ((r->action & SECIMPORT_ACT_DENY) && !(c->s->sysinfo.flags & SECIMPORT_SYS_LSM) &&
	    !(c->s->sysinfo.flags & SECIMPORT_SYS_FALLBACK_KILL))
		return refuse(c, ENOTSUP,
			      "action deny needs BPF LSM, which the loaded system does not have; "
			      "use action=\"kill\" (or load with --fallback kill)");
	return 0;
}

/* The private set of process @tgid, allocated (and emptied) if it has none. */
static int private_set(struct request_ctx *c, __u32 tgid, __u32 *pset, bool *fresh)
{
	static unsigned char used[SECIMPORT_MAX_SETS];
	__u32 key, next, val, *prev = NULL;

	*fresh = false;
	if (bpf_map_lookup_elem(c->s->proc_sets, &tgid, pset) == 0)
		return 0;
	memset(used, 0, sizeof(used));
	while (bpf_map_get_next_key(c->s->proc_sets, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(c->s->proc_sets, &key, &val) == 0 &&
		    val < SECIMPORT_MAX_SETS)
			used[val] = 1;
	}
	for (__u32 id = SECIMPORT_SET_PRIVATE_FIRST; id < SECIMPORT_MAX_SETS; id++) {
		if (used[id])
			continue;
		struct set_maps m = system_set_maps(c->s);

		/* A set freed when its processes exited still holds their modules. */
		set_clear(&m, id);
		*pset = id;
		*fresh = true;
		return 0;
	}
	return refuse(c, ENOSPC, "no private policy set is free (%d processes hold one)",
		      SECIMPORT_MAX_SETS - SECIMPORT_SET_PRIVATE_FIRST);
}

/* The module's number in @pset: the one it has, or a free one. */
static int module_number(struct request_ctx *c, __u32 pset, const char *name,
			 const struct secimport_set *si, __u32 *module, bool *exists)
{
	*exists = false;
	for (__u32 m = 1; m < SECIMPORT_MAX_MODULES; m++) {
		struct secimport_module_name n;
		__u32 key = pset * SECIMPORT_MAX_MODULES + m;

		if (!(si->modules & (1ULL << m)) || bpf_map_lookup_elem(c->s->names, &key, &n))
			continue;
		n.name[sizeof(n.name) - 1] = 0;
		if (!strcmp(n.name, name)) {
			*module = m;
			*exists = true;
			return 0;
		}
	}
	for (__u32 m = 1; m < SECIMPORT_MAX_MODULES; m++)
		if (!(si->modules & (1ULL << m))) {
			*module = m;
			return 0;
		}
	return refuse(c, ENOSPC, "this process has registered %d modules, the most it can",
		      SECIMPORT_MAX_MODULES - 1);
}

static bool process_alive(int pidfd)
{
	return syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) == 0;
}

static int peer_pidfd(int conn, pid_t pid)
{
	int fd;
	socklen_t len = sizeof(fd);

	/* The peer's pidfd names the process that connected, even if its pid is reused. */
	if (getsockopt(conn, SOL_SOCKET, SO_PEERPIDFD, &fd, &len) == 0)
		return fd;
	return syscall(SYS_pidfd_open, pid, 0);
}

/* Does @mp refuse everything @old refuses, with at least @old's action flags? */
static bool no_looser(const struct secimport_module_policy *mp,
		      const struct secimport_module_policy *old)
{
	for (unsigned int w = 0; w < SECIMPORT_SYSCALL_WORDS; w++)
		if (mp->allow[w] & ~old->allow[w])
			return false;
	return !(old->action & ~mp->action);
}

static int apply(struct request_ctx *c, const struct broker_request *r, __u32 tgid, int pidfd)
{
	struct set_maps m = system_set_maps(c->s);
	struct secimport_module_policy mp = {}, old;
	struct secimport_set si = {};
	const struct syscall_table *t = syscall_table_native();
	struct policy_module pm = { .name = (char *)r->module, .action = r->action };
	__u32 pset = 0, module = 0, key;
	bool fresh, exists;
	char err[512];

	if (private_set(c, tgid, &pset, &fresh))
		return -1;
	bpf_map_lookup_elem(c->s->sets, &pset, &si);
	if (fresh)
		memset(&si, 0, sizeof(si));
	if (module_number(c, pset, r->module, &si, &module, &exists))
		return -1;
	memcpy(pm.allow, r->allow, sizeof(pm.allow));
	module_policy_compile(&mp, &pm, t);
	key = pset * SECIMPORT_MAX_MODULES + module;
	if (exists && bpf_map_lookup_elem(c->s->policies, &key, &old) == 0 && !no_looser(&mp, &old))
		return refuse(c, EPERM,
			      "module %s is already confined in this process; a registration can "
			      "only make that stricter, and this one allows more or acts less",
			      r->module);
	/*
	 * Code another registered module confines (the same file, or a file in
	 * its package) would be judged by this module alone from now on (the
	 * kernel takes the longest location): it must not allow more.
	 */
	for (__u32 i = 0; i < r->nr_locs; i++) {
		struct location loc = { .path = (char *)r->locs[i].path,
					.prefix = r->locs[i].prefix != 0 };
		__u32 owner, okey;

		if (set_find_location(&m, pset, &loc, &owner) || owner == module)
			continue;
		okey = pset * SECIMPORT_MAX_MODULES + owner;
		if (bpf_map_lookup_elem(c->s->policies, &okey, &old) == 0 && !no_looser(&mp, &old))
			return refuse(c, EPERM,
				      "%s is already confined in this process by module %s; "
				      "registering %s there cannot allow more than that",
				      loc.path, system_module_name(c->s, pset, owner), r->module);
	}
	/* Policy and locations first; the set names the module last. */
	if (set_put_policy(&m, pset, module, &mp, r->module, err, sizeof(err)))
		return refuse(c, EIO, "%s", err);
	for (__u32 i = 0; i < r->nr_locs; i++) {
		struct location loc = { .path = (char *)r->locs[i].path,
					.prefix = r->locs[i].prefix != 0 };

		if (set_put_location(&m, pset, &loc, module, err, sizeof(err)))
			return refuse(c, EIO, "%s", err);
	}
	si.modules |= 1ULL << module;
	set_walk_add(&si, &mp, t);
	if (set_put_summary(&m, pset, &si, err, sizeof(err)))
		return refuse(c, EIO, "%s", err);
	if (bpf_map_update_elem(c->s->proc_sets, &tgid, &pset, BPF_ANY))
		return refuse(c, EIO, "failed to record the process's set: %s", strerror(errno));
	/* Every thread of the process reads its sets again at its next syscall. */
	system_config_set(c->s, SECIMPORT_CFG_GEN, system_config_get(c->s, SECIMPORT_CFG_GEN) + 1);
	/* Exited meanwhile: its exit hook may have run first; the pid may be reused. */
	if (!process_alive(pidfd)) {
		bpf_map_delete_elem(c->s->proc_sets, &tgid);
		return refuse(c, ESRCH, "the process exited");
	}
	c->reply.pset = pset;
	c->reply.module = module;
	if (c->log)
		fprintf(stderr, "secimport-bpf broker: pid %u registered %s (set %u, module %u)\n",
			tgid, r->module, pset, module);
	return 0;
}

/* The request, and the client's own socket passed along with it (SCM_RIGHTS). */
static ssize_t recv_request(int conn, struct broker_request *r, int *client_fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = {};
	struct iovec iov = { .iov_base = r, .iov_len = sizeof(*r) };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	ssize_t n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);

	*client_fd = -1;
	for (c = CMSG_FIRSTHDR(&msg); n >= 0 && c; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(client_fd, CMSG_DATA(c), sizeof(int));
	return (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) ? -1 : n;
}

/*
 * Is @client_fd the other end of @conn? A nonce sent through it must come
 * out of @conn. (The client only reads its own end, never ours.)
 */
static bool same_connection(int conn, int client_fd)
{
	unsigned char nonce[16], got[sizeof(nonce)];
	FILE *f = fopen("/dev/urandom", "re");
	bool ok;

	if (!f)
		return false;
	ok = fread(nonce, 1, sizeof(nonce), f) == sizeof(nonce);
	fclose(f);
	if (!ok || send(client_fd, nonce, sizeof(nonce), MSG_NOSIGNAL | MSG_DONTWAIT) !=
		       (ssize_t)sizeof(nonce))
		return false;
	return recv(conn, got, sizeof(got), MSG_DONTWAIT) == (ssize_t)sizeof(got) &&
	       !memcmp(nonce, got, sizeof(nonce));
}

static void handle(struct system *s, int conn, bool log)
{
	struct request_ctx c = { .s = s, .conn = conn, .log = log };
	struct broker_request *r = calloc(1, sizeof(*r));
	struct secimport_peer peer;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct timeval tv = { .tv_sec = 2 };
	int pidfd = -1, client_fd = -1;
	ssize_t n;

	setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(conn, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (!r) {
		refuse(&c, ENOMEM, "out of memory");
		goto reply;
	}
	if (getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &cred, &len)) {
		refuse(&c, EIO, "cannot identify the caller: %s", strerror(errno));
		goto reply;
	}
	c.pid = cred.pid;
	if (!(s->sysinfo.flags & SECIMPORT_SYS_GUARD)) {
		refuse(&c, ENOTSUP,
		       "this kernel cannot guard the registration path (it needs cgroup "
		       "connect_unix, Linux 6.7+, or BPF LSM), so no registration is accepted");
		goto reply;
	}
	n = recv_request(conn, r, &client_fd);
	if (n != (ssize_t)sizeof(*r) || client_fd < 0) {
		refuse(&c, EPROTO, "malformed request (%zd bytes%s)", n,
		       client_fd < 0 ? ", no socket passed" : "");
		goto reply;
	}
	/* What the kernel saw at connect: who, and whether confined code asked. */
	if (!same_connection(conn, client_fd) || bpf_map_lookup_elem(s->peers, &client_fd, &peer)) {
		refuse(&c, EPERM,
		       "the connection is not one the registration guard saw; use "
		       "secure_import() (libsecimport), which makes a fresh connection");
		goto reply;
	}
	if (peer.tgid != (__u32)cred.pid) {
		refuse(&c, EPERM, "the connection was made by process %u, not by %d", peer.tgid,
		       cred.pid);
		goto reply;
	}
	if (!peer.covered && !system_process_covered(s, cred.pid)) {
		/* An interpreter found now (a container's): cover it, then it asks again. */
		char why[512] = "";

		if (system_cover_process(s, cred.pid, why, sizeof(why)) == 0) {
			refuse(&c, EAGAIN, "process %d is covered now; connect again", cred.pid);
			goto reply;
		}
		refuse(&c, ENOTSUP,
		       "process %d is not covered by the loaded system, and cannot be: %s (see "
		       "'secimport-bpf status')",
		       cred.pid, why);
		goto reply;
	}
	if (!peer.covered) {
		refuse(&c, ENOTSUP,
		       "process %d is not covered by the loaded system: its interpreter is not "
		       "one 'secimport-bpf load' covers (see 'secimport-bpf status'; load with "
		       "--python PATH to cover it)",
		       cred.pid);
		goto reply;
	}
	if (peer.confined) {
		refuse(&c, EPERM,
		       "refused: a confined module is on the caller's stack, and confined code "
		       "cannot change any policy");
		goto reply;
	}
	if (validate(&c, r))
		goto reply;
	pidfd = peer_pidfd(conn, cred.pid);
	if (pidfd < 0 || !process_alive(pidfd)) {
		refuse(&c, ESRCH, "the process exited");
		goto reply;
	}
	pthread_mutex_lock(&sets_lock);
	apply(&c, r, peer.tgid, pidfd);
	pthread_mutex_unlock(&sets_lock);
reply:
	if (send(conn, &c.reply, sizeof(c.reply), MSG_NOSIGNAL) < 0 && log)
		fprintf(stderr, "secimport-bpf broker: reply to pid %d: %s\n", c.pid,
			strerror(errno));
	if (pidfd >= 0)
		close(pidfd);
	if (client_fd >= 0)
		close(client_fd);
	free(r);
}

struct conn_job {
	struct system *s;
	int conn;
	bool log;
};

static void *serve_connection(void *arg)
{
	struct conn_job *job = arg;

	handle(job->s, job->conn, job->log);
	close(job->conn);
	free(job);
	atomic_fetch_sub(&nr_connections, 1);
	return NULL;
}

int broker_serve(struct system *s, int lfd, bool log)
{
	struct sigaction sa = { .sa_handler = on_stop };

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	return broker_loop(s, lfd, log);
}

int broker_loop(struct system *s, int lfd, bool log)
{
	pthread_attr_t attr;

	signal(SIGPIPE, SIG_IGN);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	while (!stopping) {
		struct conn_job *job;
		pthread_t t;
		int conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

		if (conn < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			p_err("broker: accept: %s", strerror(errno));
			return EXIT_FAIL;
		}
		/* Beyond the limit, or without a thread, serve it here. */
		job = malloc(sizeof(*job));
		if (job && atomic_fetch_add(&nr_connections, 1) < MAX_CONNECTIONS) {
			*job = (struct conn_job){ .s = s, .conn = conn, .log = log };
			if (pthread_create(&t, &attr, serve_connection, job) == 0)
				continue;
			atomic_fetch_sub(&nr_connections, 1);
		} else if (job) {
			atomic_fetch_sub(&nr_connections, 1);
		}
		free(job);
		handle(s, conn, log);
		close(conn);
	}
	pthread_attr_destroy(&attr);
	return EXIT_OK;
}
