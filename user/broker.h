/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The registration broker of a loaded system: the one writer of processes'
 * private sets. It listens on a UNIX socket any user may connect to, and
 * lets each process add confinement for itself only (see docs/DESIGN.md).
 */
#ifndef SECIMPORT_BROKER_H
#define SECIMPORT_BROKER_H

#include "system.h"

/*
 * Create the socket at @path (mode 0666; its directory is created 0755).
 * Returns the listening fd, or -1 with @err.
 */
int broker_listen(const char *path, char *err, size_t errlen);

/* Serve registrations on @lfd until SIGTERM/SIGINT. Logs to stderr if @log. */
int broker_serve(struct system *s, int lfd, bool log);
/* The same without touching signals (for a thread of a larger program). */
int broker_loop(struct system *s, int lfd, bool log);

#endif
