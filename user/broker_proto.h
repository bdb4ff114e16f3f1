/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The registration protocol between secure_import() (libsecimport) and the
 * broker of a loaded system: one request and one reply per connection, as
 * fixed-size records on a SOCK_SEQPACKET UNIX socket. Who asks is never in
 * the request: the broker takes it from the kernel (the connection's peer
 * and the registration guard's record).
 */
#ifndef SECIMPORT_BROKER_PROTO_H
#define SECIMPORT_BROKER_PROTO_H

#include <linux/types.h>

#include "secimport.h"

#define BROKER_MAGIC 0x53454349u /* "SECI" */
#define BROKER_PROTO_VERSION 1
#define BROKER_MAX_LOCS 8

struct broker_location {
	char path[SECIMPORT_PATH_MAX]; /* NUL-terminated */
	__u32 prefix; /* a package directory: everything under it */
};

struct broker_request {
	__u32 magic;
	__u32 version;
	char module[SECIMPORT_NAME_MAX]; /* import name, NUL-terminated */
	__u32 action; /* SECIMPORT_ACT_* */
	__u32 nr_locs;
	__u64 allow[SECIMPORT_SYSCALL_WORDS]; /* compiled by the policy compiler */
	struct broker_location locs[BROKER_MAX_LOCS];
};

struct broker_reply {
	__s32 status; /* 0, or a positive errno saying what kind of failure */
	__u32 pset; /* the process's private set */
	__u32 module; /* the module's number in it */
	__u32 pad;
	char message[512]; /* why, for the user */
};

#endif
