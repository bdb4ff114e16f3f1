# The confined module is the attacker: it writes files (allowed) and tries
# to leave code behind that the application, or the next interpreter, runs.
import os

PAYLOAD = "import os\nos.system('touch planted_ran')\n"


def _write(path, text=PAYLOAD):
    with open(path, "w") as f:
        f.write(text)


def plant_py(area):
    _write(os.path.join(area, "json.py"))


def plant_pth(area):
    _write(os.path.join(area, "zzz_evil.pth"), "import os; os.system('id')\n")


def plant_existing(area):
    with open(os.path.join(area, "existing.py"), "a") as f:
        f.write(PAYLOAD)


def plant_rename(area):
    _write(os.path.join(area, "data.txt"))
    os.rename(os.path.join(area, "data.txt"), os.path.join(area, "json.py"))


def plant_link(area):
    _write(os.path.join(area, "data.txt"))
    os.link(os.path.join(area, "data.txt"), os.path.join(area, "json.py"))


def plant_symlink(area):
    _write(os.path.join(area, "data.txt"))
    os.symlink(os.path.join(area, "data.txt"), os.path.join(area, "json.py"))


def plant_dir_rename(area):
    os.mkdir(os.path.join(area, "staging"))
    _write(os.path.join(area, "staging", "data.txt"))
    os.rename(os.path.join(area, "staging"), os.path.join(area, "json"))


def plant_so(area):
    _write(os.path.join(area, "json.cpython-311-x86_64-linux-gnu.so"), "not an ELF\n")


def import_fresh(area):
    """A first import: CPython writes the byte-code cache on our behalf."""
    import freshmod  # noqa: F401


def benign(area):
    _write(os.path.join(area, "data.txt"), "data\n")
    _write(os.path.join(area, "report.json"), "{}\n")
    os.rename(os.path.join(area, "data.txt"), os.path.join(area, "data.old"))
    os.unlink(os.path.join(area, "data.old"))
    os.mkdir(os.path.join(area, "out"))
    print("plugin wrote its data")


# --- red team (rt-plant) -------------------------------------------------


def plant_rt_hardlink_alias(area):
    """A second name for existing.py that is not code, then write through it."""
    os.link(os.path.join(area, "existing.py"), os.path.join(area, "notes.txt"))
    with open(os.path.join(area, "notes.txt"), "a") as f:
        f.write(PAYLOAD)


def plant_rt_syspath_zip(area):
    """The interpreter's own zip entry on sys.path (python311.zip): every
    start-up looks there first, and a .zip is no code name."""
    import sys
    import zipfile

    zp = next((p for p in sys.path if p.endswith(".zip") and not os.path.exists(p)), None)
    print("syspath zip: %s" % zp, flush=True)
    if zp is None:
        return
    with zipfile.ZipFile(zp, "w") as z:
        z.writestr("rt_zip_planted.py", "open('zip_planted_ran', 'w').close()\n")


def plant_rt_procfd_reopen(area):
    """Opened for reading (allowed), reopened for writing through /proc."""
    fd = os.open(os.path.join(area, "existing.py"), os.O_RDONLY)
    wfd = os.open("/proc/self/fd/%d" % fd, os.O_WRONLY | os.O_APPEND)
    os.write(wfd, PAYLOAD.encode())


def plant_rt_tmpfile_link(area):
    """An unnamed O_TMPFILE written, then given a code name by linkat."""
    try:
        fd = os.open(area, os.O_TMPFILE | os.O_WRONLY, 0o644)
    except OSError:
        open(os.path.join(os.path.dirname(area), "tmpfile_unsupported"), "w").close()
        return
    os.write(fd, PAYLOAD.encode())
    dfd = os.open(area, os.O_RDONLY | os.O_DIRECTORY)
    # a dir_fd makes CPython call linkat(..., AT_SYMLINK_FOLLOW)
    os.link("/proc/self/fd/%d" % fd, "json.py", src_dir_fd=dfd, dst_dir_fd=dfd)


def plant_rt_mknod(area):
    """mknod(S_IFREG) makes a regular file named json.py."""
    import stat

    os.mknod(os.path.join(area, "json.py"), stat.S_IFREG | 0o644)


def plant_rt_fifo_pth(area):
    """A FIFO named .pth (inode_mknod is no plant hook): every start-up
    that reads this site directory blocks on it, or reads what a writer
    (opened through a second, non-code name) feeds it."""
    os.mkfifo(os.path.join(area, "zzz_evil.pth"))


def plant_rt_thread(area):
    """A thread the plugin starts, running only stdlib frames."""
    import shutil
    import threading

    _write(os.path.join(area, "data.txt"))
    t = threading.Thread(
        target=shutil.copyfile,
        args=(os.path.join(area, "data.txt"), os.path.join(area, "json.py")),
    )
    t.start()
    t.join()


def plant_rt_atexit(area):
    """A deferred stdlib callable: no frame of the plugin when it runs."""
    import atexit
    import shutil

    _write(os.path.join(area, "data.txt"))
    atexit.register(shutil.copyfile, os.path.join(area, "data.txt"), os.path.join(area, "json.py"))


def plant_rt_truncate(area):
    """truncate(2) on a code file: no file is opened."""
    os.truncate(os.path.join(area, "existing.py"), 0)


def plant_rt_rdonly_trunc(area):
    """O_RDONLY|O_TRUNC empties the file, but f_mode has no FMODE_WRITE."""
    os.close(os.open(os.path.join(area, "existing.py"), os.O_RDONLY | os.O_TRUNC))


def plant_rt_so_version(area):
    """A versioned shared library (what an extension module's DT_NEEDED,
    or a wheel's <pkg>.libs, loads): 'libfoo.so.1' does not end in .so."""
    _write(os.path.join(area, "libplanted.so.1"), "not an ELF\n")


# False kills: benign things a module that may not run programs does.
def benign_rt_dirswap(area):
    """Build an output directory aside, then rename it into place."""
    os.mkdir(os.path.join(area, "out.tmp"))
    _write(os.path.join(area, "out.tmp", "result.json"), "{}\n")
    os.rename(os.path.join(area, "out.tmp"), os.path.join(area, "out"))
    print("plugin wrote its data")


def benign_rt_symlink(area):
    """A 'latest' symlink to the newest run's data directory."""
    os.mkdir(os.path.join(area, "run-1"))
    os.symlink("run-1", os.path.join(area, "latest"))
    print("plugin wrote its data")


def benign_rt_pyc_dot(area):
    """A data file whose name only contains '.pyc.' (a backup of a listing)."""
    _write(os.path.join(area, "listing.pyc.txt"), "data\n")
    print("plugin wrote its data")
