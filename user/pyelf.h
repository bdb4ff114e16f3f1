/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Reading a CPython ELF file: symbols, initialized data, and the code object
 * constructor of builds that do not name it (stripped 3.13+ distribution
 * builds keep _PyCode_New only in the .symtab they strip).
 */
#ifndef SECIMPORT_PYELF_H
#define SECIMPORT_PYELF_H

#include <gelf.h>
#include <stddef.h>
#include <stdint.h>

/* A defined symbol @name from .dynsym, else .symtab. 0 when found. */
int pyelf_symbol(Elf *elf, const char *name, GElf_Sym *out);

/* Copy @len bytes at ELF address @vaddr of file @fd: initialized data only. */
int pyelf_read_vaddr(Elf *elf, int fd, uint64_t vaddr, void *buf, size_t len);

/*
 * The code object constructor (_PyCode_New) of a build that does not name
 * it, found from what the build does export: the one function that both
 * PyUnstable_Code_NewWithPosOnlyArgs and PyCode_NewEmpty call directly, that
 * is not exported, starts a function of .eh_frame_hdr's table, and refers
 * to PyCode_Type. Anything else (none, or more than one such function, an
 * architecture or encoding this reader does not know) is a failure with
 * the reason in @why: guessing would leave code objects without identity.
 */
int pyelf_code_ctor(Elf *elf, int fd, uint64_t *vaddr, char *why, size_t whylen);

/*
 * The libffi an interpreter's _ctypes would load when the interpreter
 * brings its own (a self-contained tree: its DT_RPATH/DT_RUNPATH, $ORIGIN
 * expanded, or the directory of its own dynamic loader, PT_INTERP), which
 * the host's libffi probe does not see: its path in @out. -1 when the
 * interpreter names no such directory holding a libffi.so.8, .7 or .6.
 */
int pyelf_libffi_near(const char *interp_path, char *out, size_t len);

#endif
