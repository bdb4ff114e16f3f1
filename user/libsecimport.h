/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * libsecimport: what secure_import() binds to. Compiles a module's policy
 * with the same compiler as the CLI and registers it, for the calling
 * process only, with the broker of the loaded system.
 */
#ifndef LIBSECIMPORT_H
#define LIBSECIMPORT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The socket the broker listens on: $SECIMPORT_SOCKET, else this. */
#define SECIMPORT_DEFAULT_SOCKET "/run/secimport/secimport.sock"

/* Error kinds secimport_register() returns (negative). */
#define SECIMPORT_E_POLICY -2 /* the settings do not compile (bad syscall name, action) */
#define SECIMPORT_E_NOT_LOADED -3 /* no loaded system, or its broker is not running */
#define SECIMPORT_E_REFUSED -4 /* the broker refused (reason in the message) */
#define SECIMPORT_E_SYSTEM -5 /* anything else */

/*
 * Confine module @module (an import name) for the calling process from now
 * on. @locations: where its code lives (files; directories, with
 * @prefix[i] != 0, confine every file under them). @allow_shell,
 * @allow_networking: 0, 1, or -1 for the policy default. @syscalls: a strict
 * allowlist of @nr_syscalls names, or NULL for none. @action: "kill", "log",
 * "deny" or "deny+kill" (NULL: kill). Returns 0, or one of SECIMPORT_E_* with
 * a message for the user in @err.
 */
int secimport_register(const char *module, const char *const *locations, const int *prefix,
		       size_t nr_locations, int allow_shell, int allow_networking,
		       const char *const *syscalls, size_t nr_syscalls, const char *action,
		       char *err, size_t errlen);

/*
 * secimport_register() with @allow_ctypes too: 0, 1, or -1 for the policy
 * default (refused).
 */
int secimport_register2(const char *module, const char *const *locations, const int *prefix,
			size_t nr_locations, int allow_shell, int allow_networking,
			int allow_ctypes, const char *const *syscalls, size_t nr_syscalls,
			const char *action, char *err, size_t errlen);

/*
 * secimport_register2() with @allow_file_write too: 0, 1, or -1 for the
 * policy default (allowed).
 */
int secimport_register3(const char *module, const char *const *locations, const int *prefix,
			size_t nr_locations, int allow_shell, int allow_networking,
			int allow_ctypes, int allow_file_write, const char *const *syscalls,
			size_t nr_syscalls, const char *action, char *err, size_t errlen);

/* The library's version string. */
const char *secimport_version(void);

#ifdef __cplusplus
}
#endif

#endif
