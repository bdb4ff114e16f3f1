# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Build in the libbpf-bootstrap style: BPF objects -> one linked object ->
# skeleton -> the user-space binary. `make V=1` shows the commands.

OUTPUT ?= .output
CLANG ?= clang
BPFTOOL ?= bpftool
CC ?= cc
PREFIX ?= /usr/local
DESTDIR ?=

HOST_ARCH := $(shell uname -m)
ARCH := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
VMLINUX := vmlinux/$(HOST_ARCH)/vmlinux.h
MULTIARCH_INC := /usr/include/$(HOST_ARCH)-linux-gnu
VERSION := $(shell cat VERSION)

BPF_SRCS := bpf/maps.bpf.c bpf/usdt_engine.bpf.c bpf/stackwalk_engine.bpf.c bpf/enforce.bpf.c \
	bpf/codeident.bpf.c bpf/subinterp.bpf.c bpf/ctypes.bpf.c bpf/deny.bpf.c bpf/lifecycle.bpf.c bpf/registration.bpf.c \
	bpf/report.bpf.c
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(OUTPUT)/bpf/%.bpf.o,$(BPF_SRCS))

# Policy compilation: pure C, also the library later bindings use.
POLICY_SRCS := user/policy.c user/syscall_table.c user/policy_writer.c user/import_secimport.c user/yaml_tree.c
CLI_SRCS := user/main.c user/cmd_run.c user/cmd_trace.c user/cmd_policy.c \
	user/cmd_policy_tools.c user/cmd_features.c user/session.c user/interp.c user/resolve.c \
	user/loader.c user/policy_sets.c user/events.c \
	user/system.c user/system_policy.c user/system_args.c user/system_cover.c user/broker.c user/cmd_load.c user/cmd_status.c user/cmd_apply.c user/cmd_agent.c user/privs.c user/engine.c user/pyruntime.c user/pyelf.c user/probe.c user/util.c
USER_SRCS := $(POLICY_SRCS) $(CLI_SRCS)
USER_OBJS := $(patsubst user/%.c,$(OUTPUT)/user/%.o,$(USER_SRCS))

BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
	-I$(OUTPUT) -Ivmlinux/$(HOST_ARCH) -Ibpf -I$(MULTIARCH_INC)
CFLAGS ?= -g -O2
WARNFLAGS := -Wall -Wextra -Werror
USER_CFLAGS := -std=gnu11 $(WARNFLAGS) -D_GNU_SOURCE -DSECIMPORT_VERSION='"$(VERSION)"' \
	-Ibpf -Iuser -I$(OUTPUT) -MMD -MP
LDLIBS := -lbpf -lelf -lz -lyaml -pthread
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.DELETE_ON_ERROR:
.PHONY: all clean install deps lint test test-unit test-k8s test-e2e test-vm demo format format-check bench bench-smoke bench-vm fuzz pythons-sid

all: $(OUTPUT)/secimport-bpf $(OUTPUT)/libsecimport.so

$(OUTPUT) $(OUTPUT)/bpf $(OUTPUT)/user $(OUTPUT)/tests $(OUTPUT)/bench:
	$(Q)mkdir -p $@

$(OUTPUT)/syscall_names.c: scripts/gen_syscall_table.sh | $(OUTPUT)
	$(call msg,GEN,$@)
	$(Q)sh $< $@

$(OUTPUT)/bpf/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) $(VMLINUX) | $(OUTPUT)/bpf
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# One object from all BPF files, so they share maps through one skeleton.
$(OUTPUT)/secimport.bpf.o: $(BPF_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(BPFTOOL) gen object $@ $^

$(OUTPUT)/secimport.skel.h: $(OUTPUT)/secimport.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name secimport_bpf > $@

$(OUTPUT)/user/syscall_table.o: $(OUTPUT)/syscall_names.c
$(OUTPUT)/user/loader.o: $(OUTPUT)/secimport.skel.h

$(OUTPUT)/user/%.o: user/%.c | $(OUTPUT)/user
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(USER_CFLAGS) -c $< -o $@

$(OUTPUT)/secimport-bpf: $(USER_OBJS)
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

-include $(USER_OBJS:.o=.d)

# The version is compiled in (SECIMPORT_VERSION): a new one rebuilds.
$(USER_OBJS): VERSION

# libsecimport: what secure_import() binds to. The policy compiler, built
# position-independent, plus the registration client; only its API exported.
LIB_SRCS := user/policy.c user/syscall_table.c user/yaml_tree.c user/registration.c
LIB_OBJS := $(patsubst user/%.c,$(OUTPUT)/lib/%.o,$(LIB_SRCS))
LIB_SONAME := libsecimport.so.0

$(OUTPUT)/lib:
	$(Q)mkdir -p $@

$(OUTPUT)/lib/syscall_table.o: $(OUTPUT)/syscall_names.c

$(OUTPUT)/lib/%.o: user/%.c | $(OUTPUT)/lib
	$(call msg,CC-PIC,$@)
	$(Q)$(CC) $(CFLAGS) $(USER_CFLAGS) -fPIC -fvisibility=hidden -c $< -o $@

$(OUTPUT)/libsecimport.so: $(LIB_OBJS)
	$(call msg,LIB,$@)
	$(Q)$(CC) $(CFLAGS) -shared -Wl,-soname,$(LIB_SONAME) -Wl,--no-undefined $^ -lyaml -o $@

$(LIB_OBJS): VERSION

-include $(LIB_OBJS:.o=.d)

# Unit tests: the policy compiler with AddressSanitizer and UBSan.
UNIT_TESTS := test_policy test_syscall_table test_policy_writer test_import_secimport
$(OUTPUT)/tests/%: tests/unit/%.c $(POLICY_SRCS) user/policy.h user/syscall_table.h user/yaml_tree.h \
		$(OUTPUT)/syscall_names.c | $(OUTPUT)/tests
	$(call msg,CC-TEST,$@)
	$(Q)$(CC) -g -O1 $(SAN_FLAGS) $(USER_CFLAGS) $< $(POLICY_SRCS) -lyaml -lcmocka -o $@

# The ELF reader, checked against every installed CPython build.
$(OUTPUT)/tests/test_pyruntime: tests/unit/test_pyruntime.c user/pyruntime.c user/pyelf.c user/pyelf.h user/pyruntime.h \
		user/py_offsets_table.h | $(OUTPUT)/tests
	$(call msg,CC-TEST,$@)
	$(Q)$(CC) -g -O1 $(SAN_FLAGS) $(USER_CFLAGS) $< user/pyruntime.c user/pyelf.c -lelf -lcmocka -o $@

UNIT_TESTS += test_pyruntime

# libsecimport's checks before it talks to a broker.
$(OUTPUT)/tests/test_libsecimport: tests/unit/test_libsecimport.c $(LIB_SRCS) user/libsecimport.h \
		user/broker_proto.h $(OUTPUT)/syscall_names.c | $(OUTPUT)/tests
	$(call msg,CC-TEST,$@)
	$(Q)$(CC) -g -O1 $(SAN_FLAGS) $(USER_CFLAGS) $< $(LIB_SRCS) -lyaml -lcmocka -o $@

UNIT_TESTS += test_libsecimport

# The import command is tested through its entry point too.
$(OUTPUT)/tests/test_import_secimport: tests/unit/test_import_secimport.c $(POLICY_SRCS) \
		user/cmd_policy_tools.c user/util.c user/policy.h user/import_secimport.h \
		$(OUTPUT)/syscall_names.c | $(OUTPUT)/tests
	$(call msg,CC-TEST,$@)
	$(Q)$(CC) -g -O1 $(SAN_FLAGS) $(USER_CFLAGS) $< $(POLICY_SRCS) user/cmd_policy_tools.c \
		user/util.c -lyaml -lcmocka -o $@

# CPython 3.14 and 3.15: Debian sid's, unpacked under $(OUTPUT)/pythons
# with sid's C library (nothing is installed; scripts/get-python-sid.sh).
SID_PYTHONS := 3.14 3.15
pythons-sid:
	$(Q)scripts/get-python-sid.sh --no-dev $(OUTPUT)/pythons $(SID_PYTHONS) >/dev/null

test-unit: $(addprefix $(OUTPUT)/tests/,$(UNIT_TESTS)) | pythons-sid
	$(Q)for t in $^; do echo "# $$t"; \
		SECIMPORT_SID_PYTHONS=$(abspath $(OUTPUT))/pythons $$t || exit 1; done

# The deployment files: manifests against the Kubernetes API schemas.
test-k8s: $(OUTPUT)/secimport-bpf
	$(Q)tests/k8s/run.sh $(OUTPUT)/secimport-bpf

test-e2e: $(OUTPUT)/secimport-bpf $(OUTPUT)/libsecimport.so | pythons-sid
	$(Q)SECIMPORT_SID_PYTHONS=$(abspath $(OUTPUT))/pythons tests/e2e/matrix.sh $(OUTPUT)/secimport-bpf \
		$(OUTPUT)/libsecimport.so

# The end-to-end suite on Debian bookworm's stock 6.1 kernel (BPF LSM on)
# under qemu/TCG: the deny tests, and CO-RE on a second kernel.
test-vm: $(OUTPUT)/secimport-bpf
	$(Q)tests/vm/run.sh $(OUTPUT)/secimport-bpf $(TESTS)

# Everything CI runs. Needs root (it loads BPF programs).
test: deps
	$(Q)$(MAKE) --no-print-directory format-check lint all
	$(Q)$(MAKE) --no-print-directory test-unit
	$(Q)$(MAKE) --no-print-directory test-k8s
	$(Q)$(MAKE) --no-print-directory test-e2e
	$(Q)$(MAKE) --no-print-directory test-vm
	$(Q)$(MAKE) --no-print-directory bench-smoke

# The Quick Start: a module that may not spawn a shell tries to.
demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)examples/quickstart/run.sh $(OUTPUT)/secimport-bpf

deps:
	$(Q)scripts/install-deps.sh

format:
	$(Q)clang-format -i bpf/*.c bpf/*.h user/*.c user/*.h tests/unit/*.c bench/*.c

SHELL_SCRIPTS := scripts/*.sh tests/e2e/*.sh tests/k8s/*.sh tests/vm/run.sh examples/quickstart/run.sh bench/*.sh

lint:
	$(Q)shellcheck $(SHELL_SCRIPTS)

format-check:
	$(Q)clang-format --dry-run --Werror bpf/*.c bpf/*.h user/*.c user/*.h tests/unit/*.c bench/*.c

# The Python package goes where the system's python3 looks (Debian:
# /usr/local/lib/python3.X/dist-packages); PYTHON_SITE=DIR puts it elsewhere.
PYTHON ?= python3
PYTHON_SITE ?= $(shell $(PYTHON) -c 'import sysconfig; print(sysconfig.get_path("purelib"))' 2>/dev/null)
LIBDIR ?= $(PREFIX)/lib

install: $(OUTPUT)/secimport-bpf $(OUTPUT)/libsecimport.so
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/secimport-bpf/policies \
		$(DESTDIR)$(LIBDIR) $(DESTDIR)$(PREFIX)/include
	install -m 0755 $(OUTPUT)/secimport-bpf $(DESTDIR)$(PREFIX)/bin/secimport-bpf
	install -m 0644 policies/*.yaml $(DESTDIR)$(PREFIX)/share/secimport-bpf/policies/
	install -m 0755 $(OUTPUT)/libsecimport.so $(DESTDIR)$(LIBDIR)/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $(DESTDIR)$(LIBDIR)/libsecimport.so
	install -m 0644 user/libsecimport.h $(DESTDIR)$(PREFIX)/include/libsecimport.h
	@if [ -n "$(PYTHON_SITE)" ]; then \
		install -d $(DESTDIR)$(PYTHON_SITE)/secimport && \
		install -m 0644 python/secimport/__init__.py $(DESTDIR)$(PYTHON_SITE)/secimport/ && \
		echo 'LIBDIR = "$(LIBDIR)"' > $(DESTDIR)$(PYTHON_SITE)/secimport/_install.py && \
		echo "  installed the Python package in $(PYTHON_SITE)"; \
	else echo "  no $(PYTHON) found: the Python package is not installed (PYTHON_SITE=DIR)"; fi
	@[ -n "$(DESTDIR)" ] || ldconfig 2>/dev/null || true

clean:
	$(call msg,CLEAN)
	$(Q)rm -rf $(OUTPUT)

# The same syscall loop in C, for the per-syscall benchmarks.
$(OUTPUT)/bench/syscall_loop: bench/syscall_loop.c | $(OUTPUT)/bench
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -std=c11 -D_GNU_SOURCE $(WARNFLAGS) $< -o $@

# Benchmarks (root; about 6 minutes): a table, and $(OUTPUT)/bench.json.
# Then failed walks under thread-heavy workloads, 10 million walks per
# interpreter (about 10 more minutes): none may fail.
bench: $(OUTPUT)/secimport-bpf $(OUTPUT)/libsecimport.so $(OUTPUT)/bench/syscall_loop
	$(Q)bench/run.sh $(OUTPUT)/secimport-bpf
	$(Q)bench/walks.sh $(OUTPUT)/secimport-bpf

# The hooks' cost for an uncovered process inside the VM, where BPF LSM is
# live (software emulation: compare A and B, not with the host).
bench-vm: $(OUTPUT)/secimport-bpf $(OUTPUT)/bench/syscall_loop
	$(Q)SECIMPORT_VM_BENCH=$(OUTPUT)/bench/syscall_loop tests/vm/run.sh $(OUTPUT)/secimport-bpf

# One short round of every benchmark: checks that each runs (< 60 s).
bench-smoke: $(OUTPUT)/secimport-bpf $(OUTPUT)/libsecimport.so $(OUTPUT)/bench/syscall_loop
	$(Q)BENCH_SMOKE=1 bench/run.sh $(OUTPUT)/secimport-bpf
	$(Q)BENCH_SMOKE=1 WALKS_PYTHONS=/usr/bin/python3.11 bench/walks.sh $(OUTPUT)/secimport-bpf

# Coverage-guided fuzzing of the policy compiler (libFuzzer; not part of test).
FUZZ_SECONDS ?= 60
$(OUTPUT)/fuzz_policy: tests/fuzz/fuzz_policy.c $(POLICY_SRCS) $(OUTPUT)/syscall_names.c
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
		-Ibpf -Iuser -I$(OUTPUT) $< $(POLICY_SRCS) -lyaml -o $@

fuzz: $(OUTPUT)/fuzz_policy
	$(Q)mkdir -p $(OUTPUT)/fuzz-corpus && cp policies/*.yaml $(OUTPUT)/fuzz-corpus/
	$(Q)$(OUTPUT)/fuzz_policy -max_total_time=$(FUZZ_SECONDS) $(OUTPUT)/fuzz-corpus
