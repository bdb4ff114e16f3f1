// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* libsecimport: compile a module's policy, send it to the broker. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "broker_proto.h"
#include "libsecimport.h"
#include "policy.h"

#define EXPORT __attribute__((visibility("default")))

EXPORT const char *secimport_version(void)
{
	return SECIMPORT_VERSION;
}

/* Syscall and action names go into YAML: only the characters they can have. */
static bool word_ok(const char *s)
{
	if (!*s || strlen(s) > 64)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' ||
		      *s == '+'))
			return false;
	return true;
}

/* The settings as a one-module policy, compiled by the CLI's compiler. */
static int compile(struct broker_request *r, const char *module, int allow_shell,
		   int allow_networking, int allow_ctypes, int allow_file_write,
		   const char *const *syscalls, size_t nr_syscalls, const char *action, char *err,
		   size_t errlen)
{
	struct policy p;
	struct policy_diag diag;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int ret;

	if (!f) {
		snprintf(err, errlen, "out of memory");
		return SECIMPORT_E_SYSTEM;
	}
	fprintf(f, "modules:\n  %s:\n", module);
	if (allow_shell >= 0)
		fprintf(f, "    allow_shell: %s\n", allow_shell ? "true" : "false");
	if (allow_networking >= 0)
		fprintf(f, "    allow_networking: %s\n", allow_networking ? "true" : "false");
	if (allow_ctypes >= 0)
		fprintf(f, "    allow_ctypes: %s\n", allow_ctypes ? "true" : "false");
	if (allow_file_write >= 0)
		fprintf(f, "    allow_file_write: %s\n", allow_file_write ? "true" : "false");
	if (syscalls) {
		fputs("    syscalls: [", f);
		for (size_t i = 0; i < nr_syscalls; i++) {
			if (!syscalls[i] || !word_ok(syscalls[i])) {
				fclose(f);
				free(buf);
				snprintf(err, errlen, "invalid syscall name '%s'",
					 syscalls[i] ? syscalls[i] : "(null)");
				return SECIMPORT_E_POLICY;
			}
			fprintf(f, "%s%s", i ? ", " : "", syscalls[i]);
		}
		fputs("]\n", f);
	}
	fprintf(f, "    action: %s\n", action);
	fclose(f);
	ret = policy_parse_buffer(&p, "secure_import", buf, len, syscall_table_native(), &diag);
	free(buf);
	if (ret) {
		snprintf(err, errlen, "%s", diag.msg);
		return SECIMPORT_E_POLICY;
	}
	memcpy(r->allow, p.modules[0].allow, sizeof(r->allow));
	r->action = p.modules[0].action;
	policy_free(&p);
	return 0;
}

/* The request, with our end of the connection: the broker checks who connected. */
static int send_request(int fd, const struct broker_request *r)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = {};
	struct iovec iov = { .iov_base = (void *)r, .iov_len = sizeof(*r) };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(fd, &msg, MSG_NOSIGNAL) == (ssize_t)sizeof(*r) ? 0 : -1;
}

static int ask_broker(const struct broker_request *r, struct broker_reply *reply, char *err,
		      size_t errlen)
{
	const char *path = getenv("SECIMPORT_SOCKET");
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 10 };
	int fd, ret = SECIMPORT_E_SYSTEM;
	ssize_t n;

	if (!path || !*path)
		path = SECIMPORT_DEFAULT_SOCKET;
	if (strlen(path) >= sizeof(addr.sun_path)) {
		snprintf(err, errlen, "socket path too long: %s", path);
		return SECIMPORT_E_SYSTEM;
	}
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return SECIMPORT_E_SYSTEM;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		if (errno == ENOENT) {
			snprintf(err, errlen,
				 "no secimport-bpf system is loaded (no registration socket at "
				 "%s); an administrator must run 'sudo secimport-bpf load' first",
				 path);
			ret = SECIMPORT_E_NOT_LOADED;
		} else if (errno == ECONNREFUSED) {
			snprintf(
			    err, errlen,
			    "the secimport-bpf broker is not running (%s refuses connections); "
			    "an administrator must run 'sudo secimport-bpf broker --daemon' (or "
			    "load again)",
			    path);
			ret = SECIMPORT_E_NOT_LOADED;
		} else {
			snprintf(err, errlen, "cannot reach the secimport-bpf broker at %s: %s",
				 path, strerror(errno));
		}
		goto out;
	}
	if (send_request(fd, r)) {
		snprintf(err, errlen, "cannot send to the broker: %s", strerror(errno));
		goto out;
	}
	n = recv(fd, reply, sizeof(*reply), 0);
	if (n != (ssize_t)sizeof(*reply)) {
		snprintf(err, errlen, "no answer from the broker at %s (%s)", path,
			 n < 0 ? strerror(errno) : "connection closed");
		goto out;
	}
	reply->message[sizeof(reply->message) - 1] = 0;
	if (reply->status) {
		snprintf(err, errlen, "%s", reply->message);
		ret = SECIMPORT_E_REFUSED;
		goto out;
	}
	ret = 0;
out:
	close(fd);
	return ret;
}

EXPORT int secimport_register(const char *module, const char *const *locations, const int *prefix,
			      size_t nr_locations, int allow_shell, int allow_networking,
			      const char *const *syscalls, size_t nr_syscalls, const char *action,
			      char *err, size_t errlen)
{
	return secimport_register2(module, locations, prefix, nr_locations, allow_shell,
				   allow_networking, -1, syscalls, nr_syscalls, action, err,
				   errlen);
}

EXPORT int secimport_register2(const char *module, const char *const *locations, const int *prefix,
			       size_t nr_locations, int allow_shell, int allow_networking,
			       int allow_ctypes, const char *const *syscalls, size_t nr_syscalls,
			       const char *action, char *err, size_t errlen)
{
	return secimport_register3(module, locations, prefix, nr_locations, allow_shell,
				   allow_networking, allow_ctypes, -1, syscalls, nr_syscalls,
				   action, err, errlen);
}

EXPORT int secimport_register3(const char *module, const char *const *locations, const int *prefix,
			       size_t nr_locations, int allow_shell, int allow_networking,
			       int allow_ctypes, int allow_file_write, const char *const *syscalls,
			       size_t nr_syscalls, const char *action, char *err, size_t errlen)
{
	struct broker_request *r;
	struct broker_reply reply = {};
	int ret;

	if (!module || !policy_import_name_valid(module, strlen(module)) ||
	    strlen(module) >= SECIMPORT_NAME_MAX) {
		snprintf(err, errlen, "invalid module name '%s'", module ? module : "(null)");
		return SECIMPORT_E_POLICY;
	}
	if (!action)
		action = "kill";
	if (!word_ok(action)) {
		snprintf(err, errlen, "invalid action '%s': use kill, log, deny or deny+kill",
			 action);
		return SECIMPORT_E_POLICY;
	}
	if (!nr_locations || nr_locations > BROKER_MAX_LOCS) {
		snprintf(err, errlen, "module %s has %zu locations; 1 to %d are possible", module,
			 nr_locations, BROKER_MAX_LOCS);
		return SECIMPORT_E_POLICY;
	}
	if (!(r = calloc(1, sizeof(*r)))) {
		snprintf(err, errlen, "out of memory");
		return SECIMPORT_E_SYSTEM;
	}
	r->magic = BROKER_MAGIC;
	r->version = BROKER_PROTO_VERSION;
	snprintf(r->module, sizeof(r->module), "%s", module);
	r->nr_locs = nr_locations;
	for (size_t i = 0; i < nr_locations; i++) {
		if (!locations[i] || !policy_location_valid(locations[i], strlen(locations[i]))) {
			snprintf(err, errlen, "invalid location for %s: %s", module,
				 locations[i] ? locations[i] : "(null)");
			free(r);
			return SECIMPORT_E_POLICY;
		}
		snprintf(r->locs[i].path, sizeof(r->locs[i].path), "%s", locations[i]);
		r->locs[i].prefix = prefix && prefix[i];
	}
	ret = compile(r, module, allow_shell, allow_networking, allow_ctypes, allow_file_write,
		      syscalls, nr_syscalls, action, err, errlen);
	if (!ret)
		ret = ask_broker(r, &reply, err, errlen);
	/* Our interpreter was just covered (a container's): ask again, covered now. */
	if (ret == SECIMPORT_E_REFUSED && reply.status == EAGAIN)
		ret = ask_broker(r, &reply, err, errlen);
	free(r);
	return ret;
}
