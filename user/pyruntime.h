/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What the stack-walking engine needs to know about one CPython build:
 * where _PyRuntime is, where to catch its initialisation, and the offsets of
 * the structures it walks (struct secimport_interp).
 */
#ifndef SECIMPORT_PYRUNTIME_H
#define SECIMPORT_PYRUNTIME_H

#include <stddef.h>
#include <sys/types.h>

#include "secimport.h"

/* Versions the engine can walk, inclusive. */
#define PYRUNTIME_MIN_MINOR 8
#define PYRUNTIME_MAX_MINOR 15

/*
 * Fill @out for CPython @major.@minor from the ELF file @elf_path: the
 * interpreter executable of a static build, or the libpython shared object.
 * 3.8-3.12 offsets come from the generated table, 3.13 to 3.15 from the
 * _Py_DebugOffsets that starts _PyRuntime in the file. On failure return -1
 * with a message for the user in @err.
 */
int pyruntime_read(const char *elf_path, int major, int minor, struct secimport_interp *out,
		   char *err, size_t errlen);

/*
 * The CPython version an ELF file (an interpreter of a static build, or
 * libpython) says it is, from Py_Version (3.11+): for interpreters whose
 * executable is not named python3.N (a container image's python3). -1 when
 * the file does not say.
 */
int pyruntime_version(const char *elf_path, int *major, int *minor);

/*
 * Decode the @len bytes @buf of a _Py_DebugOffsets (3.13 to 3.15) into @off,
 * after checking its cookie and that it describes @major.@minor.
 * -1 with @err on failure.
 */
int pyruntime_parse_debug_offsets(const void *buf, size_t len, int major, int minor,
				  struct secimport_py_offsets *off, char *err, size_t errlen);

/*
 * Find a libpython3.*.so mapped into process @pid; put its path in @path.
 * 0 when found, -1 when none is (errno ENOENT) or /proc could not be read:
 * then the walker reads the executable itself.
 */
int pyruntime_find_libpython(pid_t pid, char *path, size_t len);

/* File offset of address @vaddr of ELF @path (for a uprobe). -1 if unmapped. */
int pyruntime_file_offset(const char *path, __u64 vaddr, __u64 *offset);

/* File offset of symbol @name (.dynsym, then .symtab) of ELF @path. -1 if absent. */
int pyruntime_symbol_offset(const char *path, const char *name, __u64 *offset);

#endif
