// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pyelf.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The largest function body read when looking for a reference (bytes). */
#define FUNC_READ_MAX (256 * 1024)

int pyelf_symbol(Elf *elf, const char *name, GElf_Sym *out)
{
	static const Elf64_Word types[] = { SHT_DYNSYM, SHT_SYMTAB };

	for (size_t t = 0; t < ARRAY_SIZE(types); t++) {
		Elf_Scn *scn = NULL;

		while ((scn = elf_nextscn(elf, scn))) {
			GElf_Shdr shdr;
			Elf_Data *data;

			if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != types[t] ||
			    !shdr.sh_entsize)
				continue;
			data = elf_getdata(scn, NULL);
			if (!data)
				continue;
			for (size_t i = 0; i < shdr.sh_size / shdr.sh_entsize; i++) {
				GElf_Sym sym;
				const char *s;

				if (!gelf_getsym(data, (int)i, &sym) || sym.st_shndx == SHN_UNDEF ||
				    !sym.st_value)
					continue;
				s = elf_strptr(elf, shdr.sh_link, sym.st_name);
				if (s && !strcmp(s, name)) {
					*out = sym;
					return 0;
				}
			}
		}
	}
	return -1;
}

int pyelf_read_vaddr(Elf *elf, int fd, uint64_t vaddr, void *buf, size_t len)
{
	size_t phnum;

	if (elf_getphdrnum(elf, &phnum))
		return -1;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (vaddr < ph.p_vaddr || vaddr - ph.p_vaddr > ph.p_filesz ||
		    len > ph.p_filesz - (vaddr - ph.p_vaddr))
			continue;
		if (pread(fd, buf, len, (off_t)(ph.p_offset + (vaddr - ph.p_vaddr))) !=
		    (ssize_t)len)
			return -1;
		return 0;
	}
	return -1;
}

static int32_t le32(const unsigned char *p)
{
	return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			 (uint32_t)p[3] << 24);
}

/* Function start addresses, sorted: the search table of .eh_frame_hdr. */
struct func_starts {
	uint64_t *addr;
	size_t n;
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

#define DW_EH_PE_udata4 0x03
#define DW_EH_PE_sdata4 0x0b
#define DW_EH_PE_datarel 0x30

static int read_func_starts(Elf *elf, int fd, struct func_starts *fs, char *why, size_t whylen)
{
	unsigned char hdr[12], *tab = NULL;
	GElf_Phdr ph = { 0 };
	size_t phnum, count;
	bool found = false;

	if (elf_getphdrnum(elf, &phnum))
		goto bad;
	for (size_t i = 0; i < phnum && !found; i++)
		found = gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_GNU_EH_FRAME;
	if (!found) {
		snprintf(why, whylen, "no PT_GNU_EH_FRAME (.eh_frame_hdr) to find functions by");
		return -1;
	}
	if (pread(fd, hdr, sizeof(hdr), (off_t)ph.p_offset) != (ssize_t)sizeof(hdr))
		goto bad;
	/* version 1; a 4-byte eh_frame_ptr; a 4-byte count; a datarel sdata4 table */
	if (hdr[0] != 1 ||
	    ((hdr[1] & 0x0f) != DW_EH_PE_udata4 && (hdr[1] & 0x0f) != DW_EH_PE_sdata4) ||
	    (hdr[2] != DW_EH_PE_udata4 && hdr[2] != DW_EH_PE_sdata4) ||
	    hdr[3] != (DW_EH_PE_datarel | DW_EH_PE_sdata4)) {
		snprintf(why, whylen,
			 ".eh_frame_hdr encodes its table in a way this reader does not know");
		return -1;
	}
	count = (uint32_t)le32(hdr + 8);
	if (!count || count > ph.p_filesz / 8)
		goto bad;
	tab = malloc(count * 8);
	fs->addr = calloc(count, sizeof(*fs->addr));
	if (!tab || !fs->addr ||
	    pread(fd, tab, count * 8, (off_t)ph.p_offset + 12) != (ssize_t)(count * 8)) {
		free(tab);
		free(fs->addr);
		fs->addr = NULL;
		goto bad;
	}
	for (size_t i = 0; i < count; i++)
		fs->addr[i] = ph.p_vaddr + (int64_t)le32(tab + i * 8);
	fs->n = count;
	free(tab);
	qsort(fs->addr, fs->n, sizeof(*fs->addr), cmp_u64);
	return 0;
bad:
	snprintf(why, whylen, "cannot read .eh_frame_hdr");
	return -1;
}

/* Index of the function starting at @a, or -1. */
static ssize_t func_index(const struct func_starts *fs, uint64_t a)
{
	const uint64_t *p = bsearch(&a, fs->addr, fs->n, sizeof(a), cmp_u64);

	return p ? p - fs->addr : -1;
}

/* Is @a the address of an exported function (a name in .dynsym)? */
static bool exported(Elf *elf, uint64_t a)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_DYNSYM || !shdr.sh_entsize)
			continue;
		data = elf_getdata(scn, NULL);
		for (size_t i = 0; data && i < shdr.sh_size / shdr.sh_entsize; i++) {
			GElf_Sym sym;

			if (gelf_getsym(data, (int)i, &sym) && sym.st_shndx != SHN_UNDEF &&
			    sym.st_value == a)
				return true;
		}
	}
	return false;
}

#define MAX_CALLEES 256

/*
 * The direct call and tail-call targets (x86-64 call/jmp rel32) of the
 * exported function @name that start a function and are not exported.
 * Every byte offset is tried: a false decode must also land exactly on a
 * function start to count, and the callers below narrow further.
 */
static int callees(Elf *elf, int fd, const struct func_starts *fs, const char *name, uint64_t *out,
		   size_t *n, char *why, size_t whylen)
{
	unsigned char *code;
	GElf_Sym sym;

	*n = 0;
	if (pyelf_symbol(elf, name, &sym) || !sym.st_size || sym.st_size > FUNC_READ_MAX) {
		snprintf(why, whylen, "no %s with a size in the symbol table", name);
		return -1;
	}
	code = malloc(sym.st_size);
	if (!code || pyelf_read_vaddr(elf, fd, sym.st_value, code, sym.st_size)) {
		free(code);
		snprintf(why, whylen, "cannot read %s", name);
		return -1;
	}
	for (size_t i = 0; i + 5 <= sym.st_size && *n < MAX_CALLEES; i++) {
		uint64_t t;
		bool dup = false;

		if (code[i] != 0xe8 && code[i] != 0xe9)
			continue;
		t = sym.st_value + i + 5 + (int64_t)le32(code + i + 1);
		if (t == sym.st_value || func_index(fs, t) < 0)
			continue;
		for (size_t k = 0; k < *n && !dup; k++)
			dup = out[k] == t;
		if (!dup && !exported(elf, t))
			out[(*n)++] = t;
	}
	free(code);
	return 0;
}

/* The GOT slot the dynamic linker fills with @sym's address, or 0. */
static uint64_t got_slot(Elf *elf, const char *sym_name)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr, symshdr;
		Elf_Data *data, *symdata;
		Elf_Scn *symscn;

		if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_RELA || !shdr.sh_entsize)
			continue;
		symscn = elf_getscn(elf, shdr.sh_link);
		if (!symscn || !gelf_getshdr(symscn, &symshdr))
			continue;
		data = elf_getdata(scn, NULL);
		symdata = elf_getdata(symscn, NULL);
		for (size_t i = 0; data && symdata && i < shdr.sh_size / shdr.sh_entsize; i++) {
			GElf_Rela r;
			GElf_Sym s;
			const char *nm;

			if (!gelf_getrela(data, (int)i, &r) ||
			    GELF_R_TYPE(r.r_info) != R_X86_64_GLOB_DAT ||
			    !gelf_getsym(symdata, (int)GELF_R_SYM(r.r_info), &s))
				continue;
			nm = elf_strptr(elf, symshdr.sh_link, s.st_name);
			if (nm && !strcmp(nm, sym_name))
				return r.r_offset;
		}
	}
	return 0;
}

/*
 * Does the function starting at @start (ending at the next function's
 * start) refer to @target: as a 32-bit absolute immediate (non-PIE), a
 * RIP-relative displacement, or through its GOT slot @got?
 */
static int refers_to(Elf *elf, int fd, const struct func_starts *fs, uint64_t start,
		     uint64_t target, uint64_t got, bool *yes)
{
	ssize_t idx = func_index(fs, start);
	uint64_t end, len;
	unsigned char *code;

	*yes = false;
	if (idx < 0)
		return -1;
	end = (size_t)idx + 1 < fs->n ? fs->addr[idx + 1] : start + FUNC_READ_MAX;
	len = end - start < FUNC_READ_MAX ? end - start : FUNC_READ_MAX;
	code = malloc(len);
	if (!code || pyelf_read_vaddr(elf, fd, start, code, len)) {
		free(code);
		return -1;
	}
	for (uint64_t i = 0; i + 4 <= len && !*yes; i++) {
		/* A RIP-relative operand ends its instruction, or precedes a 1- or 4-byte
		 * immediate. */
		static const unsigned int imm[] = { 0, 1, 4 };
		int32_t v = le32(code + i);

		*yes = target <= UINT32_MAX && (uint32_t)v == (uint32_t)target;
		for (size_t k = 0; k < ARRAY_SIZE(imm) && !*yes; k++) {
			uint64_t ref = start + i + 4 + imm[k] + (int64_t)v;

			*yes = ref == target || (got && ref == got);
		}
	}
	free(code);
	return 0;
}

int pyelf_code_ctor(Elf *elf, int fd, uint64_t *vaddr, char *why, size_t whylen)
{
	uint64_t a[MAX_CALLEES], b[MAX_CALLEES], found = 0, got;
	struct func_starts fs = { 0 };
	size_t na, nb, nfound = 0;
	GElf_Sym type;
	GElf_Ehdr eh;
	int r = -1;

	*vaddr = 0;
	if (!gelf_getehdr(elf, &eh) || eh.e_machine != EM_X86_64) {
		snprintf(why, whylen, "finding it without its symbol is only done on x86-64");
		return -1;
	}
	if (pyelf_symbol(elf, "PyCode_Type", &type)) {
		snprintf(why, whylen, "no PyCode_Type symbol");
		return -1;
	}
	if (read_func_starts(elf, fd, &fs, why, whylen) ||
	    callees(elf, fd, &fs, "PyUnstable_Code_NewWithPosOnlyArgs", a, &na, why, whylen) ||
	    callees(elf, fd, &fs, "PyCode_NewEmpty", b, &nb, why, whylen))
		goto out;
	got = got_slot(elf, "PyCode_Type");
	for (size_t i = 0; i < na; i++) {
		bool in_b = false, refers;

		for (size_t k = 0; k < nb && !in_b; k++)
			in_b = a[i] == b[k];
		if (!in_b)
			continue;
		if (refers_to(elf, fd, &fs, a[i], type.st_value, got, &refers)) {
			snprintf(why, whylen, "cannot read the function at %#llx",
				 (unsigned long long)a[i]);
			goto out;
		}
		if (refers) {
			found = a[i];
			nfound++;
		}
	}
	if (nfound != 1) {
		snprintf(why, whylen,
			 "%zu functions called by both PyUnstable_Code_NewWithPosOnlyArgs and "
			 "PyCode_NewEmpty refer to PyCode_Type, not one",
			 nfound);
		goto out;
	}
	*vaddr = found;
	r = 0;
out:
	free(fs.addr);
	return r;
}

/* Where distributions keep shared libraries (multiarch for this machine first). */
static const char *const lib_dirs[] = {
#if defined(__x86_64__)
	"/usr/lib/x86_64-linux-gnu",
	"/lib/x86_64-linux-gnu",
#elif defined(__aarch64__)
	"/usr/lib/aarch64-linux-gnu",
	"/lib/aarch64-linux-gnu",
#endif
	"/usr/lib64",
	"/lib64",
	"/usr/lib",
	"/lib",
};

/* Is there a libffi.so.N in directory @dir? Its path in @out. */
static bool libffi_in(const char *dir, char *out, size_t len)
{
	static const char *const names[] = { "libffi.so.8", "libffi.so.7", "libffi.so.6" };

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		snprintf(out, len, "%s/%s", dir, names[i]);
		if (!access(out, R_OK))
			return true;
	}
	return false;
}

/*
 * Each directory of the :-separated @list, $ORIGIN being @origin, both as
 * the process sees them: the file system's are under @root.
 */
static bool libffi_in_list(const char *root, const char *list, const char *origin, char *out,
			   size_t len)
{
	char dir[PATH_MAX];
	const char *p = list;

	while (*p) {
		size_t n = strcspn(p, ":");
		char raw[PATH_MAX];

		if (n && n < sizeof(raw)) {
			memcpy(raw, p, n);
			raw[n] = 0;
			size_t skip = !strncmp(raw, "$ORIGIN", 7)     ? 7
				      : !strncmp(raw, "${ORIGIN}", 9) ? 9
								      : 0;
			int w = skip
				    ? snprintf(dir, sizeof(dir), "%s%s%s", root, origin, raw + skip)
				    : snprintf(dir, sizeof(dir), "%s%s", root, raw);

			if (w > 0 && (size_t)w < sizeof(dir) && (skip || raw[0] == '/') &&
			    libffi_in(dir, out, len))
				return true;
		}
		p += n + (p[n] == ':');
	}
	return false;
}

/*
 * Where @path is, as the process that runs it sees it: /proc/PID/exe and
 * /proc/PID/root/... are in that process's root (a container's), whose
 * files are under @root (/proc/PID/root) from here; anything else is in
 * this root (@root empty). @inner: the path inside that root.
 */
static int split_root(const char *path, char *root, size_t rlen, char *inner, size_t ilen)
{
	int pid, end = 0;

	root[0] = 0;
	if (sscanf(path, "/proc/%d/exe%n", &pid, &end) == 1 && !path[end]) {
		ssize_t n = readlink(path, inner, ilen - 1);

		if (n <= 0)
			return -1;
		inner[n] = 0;
		snprintf(root, rlen, "/proc/%d/root", pid);
		return 0;
	}
	end = 0;
	if (sscanf(path, "/proc/%d/root%n", &pid, &end) == 1 && path[end] == '/') {
		snprintf(inner, ilen, "%s", path + end);
		snprintf(root, rlen, "/proc/%d/root", pid);
		return 0;
	}
	return realpath(path, inner) ? 0 : -1;
}

int pyelf_libffi_near(const char *interp_path, char *out, size_t len)
{
	char root[64], inner[PATH_MAX], origin[PATH_MAX], file[PATH_MAX + 64];
	bool found = false;
	Elf_Scn *scn = NULL;
	size_t phnum;
	int fd;
	Elf *elf;

	if (split_root(interp_path, root, sizeof(root), inner, sizeof(inner)) || inner[0] != '/')
		return -1;
	snprintf(origin, sizeof(origin), "%s", inner);
	dirname(origin);
	snprintf(file, sizeof(file), "%s%s", root, inner);
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	while (elf && !found && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_DYNAMIC || !shdr.sh_entsize)
			continue;
		data = elf_getdata(scn, NULL);
		for (size_t i = 0; data && !found && i < shdr.sh_size / shdr.sh_entsize; i++) {
			GElf_Dyn dyn;
			const char *str;

			if (!gelf_getdyn(data, (int)i, &dyn) ||
			    (dyn.d_tag != DT_RPATH && dyn.d_tag != DT_RUNPATH))
				continue;
			str = elf_strptr(elf, shdr.sh_link, dyn.d_un.d_val);
			found = str && libffi_in_list(root, str, origin, out, len);
		}
	}
	/*
	 * The directory of its own dynamic loader: in another root (a
	 * container) always, here only if it is not the system's.
	 */
	for (size_t i = 0; elf && !found && !elf_getphdrnum(elf, &phnum) && i < phnum; i++) {
		GElf_Phdr ph;
		char interp[PATH_MAX], dir[PATH_MAX + 64];

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_INTERP ||
		    ph.p_filesz >= sizeof(interp) ||
		    pread(fd, interp, ph.p_filesz, (off_t)ph.p_offset) != (ssize_t)ph.p_filesz)
			continue;
		interp[ph.p_filesz] = 0;
		if (!root[0] && (!strncmp(interp, "/lib", 4) || !strncmp(interp, "/usr/lib", 8)))
			continue;
		snprintf(dir, sizeof(dir), "%s%s", root, dirname(interp));
		found = libffi_in(dir, out, len);
	}
	/* In another root, its distribution's library directories. */
	for (size_t i = 0; root[0] && !found && i < ARRAY_SIZE(lib_dirs); i++) {
		char dir[PATH_MAX];

		snprintf(dir, sizeof(dir), "%s%s", root, lib_dirs[i]);
		found = libffi_in(dir, out, len);
	}
	if (elf)
		elf_end(elf);
	close(fd);
	/* The host's own libffi (found through a process in this root): probed already. */
	if (found && root[0]) {
		char host[PATH_MAX];
		struct stat there, here;

		for (size_t i = 0; i < ARRAY_SIZE(lib_dirs) && found; i++)
			if (libffi_in(lib_dirs[i], host, sizeof(host)) && !stat(out, &there) &&
			    !stat(host, &here) && there.st_dev == here.st_dev &&
			    there.st_ino == here.st_ino)
				found = false;
	}
	return found ? 0 : -1;
}
