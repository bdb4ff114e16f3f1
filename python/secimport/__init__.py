# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Confine a Python module with the kernel: the secure_import() hook of secimport-bpf.

secure_import(name, ...) registers the module's policy for the calling
process with the system `sudo secimport-bpf load` runs, before any of the
module's code runs, then imports and returns the module. From then on,
whenever the module's code is on a thread's Python stack (it called, or it
was called back), syscalls its policy refuses are acted upon by the kernel.

This is a thin binding: libsecimport (C) compiles the policy with the same
compiler as the CLI and talks to the broker; nothing here decides policy.
"""

import ctypes
import importlib
import os
import sys
import warnings
from importlib.machinery import FrozenImporter, PathFinder

__all__ = ["secure_import", "SecureImportError", "library_path"]

_E_POLICY, _E_NOT_LOADED, _E_REFUSED = -2, -3, -4


class SecureImportError(ImportError):
    """The module could not be confined, so it was not imported."""


_lib = None


def _library_candidates():
    env = os.environ.get("SECIMPORT_LIBRARY")
    if env:
        return [env]
    here = os.path.dirname(os.path.abspath(__file__))
    try:  # written by secimport-bpf's `make install`
        from secimport._install import LIBDIR
        installed = [os.path.join(LIBDIR, "libsecimport.so.0")]
    except ImportError:
        installed = []
    return installed + [
        os.path.join(here, "libsecimport.so.0"),
        "libsecimport.so.0",  # the dynamic loader's search path
        "/usr/local/lib/libsecimport.so.0",
        "/usr/lib/libsecimport.so.0",
    ]


def library_path():
    """The libsecimport this package uses (loading it if needed)."""
    return _load()._name


def _load():
    global _lib
    if _lib is not None:
        return _lib
    errors = []
    for cand in _library_candidates():
        if os.sep in cand and not os.path.exists(cand):
            continue
        try:
            lib = ctypes.CDLL(cand)
        except OSError as e:
            errors.append(str(e))
            continue
        # secimport_register2: secimport_register and allow_ctypes
        lib.secimport_register2.restype = ctypes.c_int
        lib.secimport_register2.argtypes = [
            ctypes.c_char_p, ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(ctypes.c_int),
            ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int,
            ctypes.POINTER(ctypes.c_char_p), ctypes.c_size_t, ctypes.c_char_p, ctypes.c_char_p,
            ctypes.c_size_t,
        ]
        # secimport_register3: and allow_file_write (absent from older libraries)
        if hasattr(lib, "secimport_register3"):
            lib.secimport_register3.restype = ctypes.c_int
            lib.secimport_register3.argtypes = (
                lib.secimport_register2.argtypes[:7] + [ctypes.c_int]
                + lib.secimport_register2.argtypes[7:])
        _lib = lib
        return lib
    raise SecureImportError(
        "libsecimport.so.0 not found (install secimport-bpf with 'make install', or set "
        "SECIMPORT_LIBRARY to its path)" + ("; " + "; ".join(errors) if errors else ""))


def _both(path):
    p = os.path.abspath(path)
    r = os.path.realpath(p)
    return [p] + ([r] if r != p else [])


def _locations(name):
    """Where module `name` lives, found as the import system would, without
    running any of its code or its parent packages' code. [(path, is_dir)]"""
    existing = sys.modules.get(name)
    if existing is not None and getattr(existing, "__spec__", None) is not None:
        spec = existing.__spec__
        search = spec.submodule_search_locations
    else:
        parts = name.split(".")
        if len(parts) == 1 and name in sys.builtin_module_names:
            raise SecureImportError(
                "%s is a built-in module: it has no Python code to attribute; confine the "
                "Python module that uses it" % name)
        search, spec = None, None
        for i in range(len(parts)):
            sub = ".".join(parts[:i + 1])
            parent = sys.modules.get(".".join(parts[:i])) if i else None
            path = list(parent.__path__) if parent is not None and hasattr(parent, "__path__") \
                else search
            spec = PathFinder.find_spec(sub, path)
            if spec is None:
                break
            search = spec.submodule_search_locations
            if search is None and i < len(parts) - 1:
                raise SecureImportError("%s is not a package" % sub)
    locs = []
    if FrozenImporter.find_spec(name) is not None:
        locs.append(("<frozen %s>" % name, False))
    if spec is None:
        if locs:
            return locs
        raise SecureImportError("No module named %r" % name)
    if search is not None:
        for d in search:
            locs += [(x.rstrip("/") + "/", True) for x in _both(d)]
        return locs
    origin = spec.origin or ""
    if not origin.endswith((".py", ".pyc", ".pyw")):
        raise SecureImportError(
            "%s is a C extension (%s): it has no Python frames to attribute; confine the "
            "Python module that uses it" % (name, origin or "no file"))
    return locs + [(p, False) for p in _both(origin)]


def _tristate(value):
    return -1 if value is None else int(bool(value))


def secure_import(name, allow_shell=False, allow_networking=False, syscalls=None,
                  action="kill", allow_shells=None, allow_ctypes=False, allow_file_write=None,
                  **unknown):
    """Confine module `name` in this process, then import and return it.

    allow_shell: may it create processes and run programs (default False).
    allow_networking: may it use sockets (default False).
    allow_ctypes: may it call foreign functions or reach raw memory through
        ctypes (default False; allowing it voids the sandbox's guarantees for
        the module: it could rewrite what the sandbox reads).
    allow_file_write: False: no file opened for writing, created, renamed or
        unlinked (default None: allowed, as the policy's default).
    syscalls: a strict allowlist of syscall names (everything else refused,
        but the interpreter baseline: what CPython does by itself, such as
        futex and mmap; see docs/POLICY.md).
    action: "kill" (default), "log", "deny" or "deny+kill".
    allow_shells: the original secimport's spelling of allow_shell.

    Raises SecureImportError (an ImportError), without importing the module,
    when it cannot be confined: no system loaded, this interpreter not
    covered, a bad setting, or a refusal (for example, confined code asking).
    """
    if unknown:
        raise TypeError("secure_import() got unexpected keyword argument(s): %s"
                        % ", ".join(sorted(unknown)))
    if allow_shells is not None:
        allow_shell = allow_shells
    if syscalls is not None:
        if isinstance(syscalls, (str, bytes)):
            raise TypeError("syscalls must be a list of syscall names")
        syscalls = [str(s) for s in syscalls]
    lib = _load()
    if name in sys.modules:
        warnings.warn("secure_import(%r): the module was already imported, so its import-time "
                      "code ran unconfined; it is confined from now on" % name, stacklevel=2)
    locs = _locations(name)
    paths = (ctypes.c_char_p * len(locs))(*[os.fsencode(p) for p, _ in locs])
    prefix = (ctypes.c_int * len(locs))(*[int(d) for _, d in locs])
    sc = None
    nr_sc = 0
    if syscalls is not None:
        nr_sc = len(syscalls)
        sc = (ctypes.c_char_p * max(nr_sc, 1))(*[s.encode() for s in syscalls])
    err = ctypes.create_string_buffer(1024)
    # Without an allowlist the original's defaults apply (both False);
    # with one, only what the caller said explicitly.
    shell = _tristate(allow_shell) if syscalls is None or allow_shell else -1
    net = _tristate(allow_networking) if syscalls is None or allow_networking else -1
    if hasattr(lib, "secimport_register3"):
        ret = lib.secimport_register3(
            name.encode(), paths, prefix, len(locs), shell, net, _tristate(allow_ctypes),
            _tristate(allow_file_write), sc, nr_sc, str(action).encode(), err, len(err))
    elif allow_file_write is not None:
        raise SecureImportError("secure_import(%r): allow_file_write needs a newer "
                                "libsecimport.so" % name)
    else:
        ret = lib.secimport_register2(
            name.encode(), paths, prefix, len(locs), shell, net, _tristate(allow_ctypes),
            sc, nr_sc, str(action).encode(), err, len(err))
    if ret != 0:
        raise SecureImportError("secure_import(%r): %s" % (name, err.value.decode(errors="replace")))
    return importlib.import_module(name)
