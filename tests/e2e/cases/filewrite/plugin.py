# The confined module is the attacker: it tries to change the file system
# in every way Python offers. It writes no marker itself (it may not):
# the application records what returned.
import os
import tempfile
import threading


def open_write(area):
    with open(os.path.join(area, "planted.py"), "w") as f:
        f.write("import os; os.system('id')\n")


def open_append(area):
    with open(os.path.join(area, "existing.txt"), "a") as f:
        f.write("appended\n")


def os_open_rdwr(area):
    fd = os.open(os.path.join(area, "existing.txt"), os.O_RDWR)
    os.write(fd, b"overwritten")
    os.close(fd)


def os_open_trunc(area):
    os.close(os.open(os.path.join(area, "existing.txt"), os.O_RDONLY | os.O_TRUNC))


def tmpfile(area):
    with tempfile.TemporaryFile(dir=area) as f:
        f.write(b"staged")


def rename(area):
    os.rename(os.path.join(area, "existing.txt"), os.path.join(area, "json.py"))


def unlink(area):
    os.unlink(os.path.join(area, "existing.txt"))


def mkdir(area):
    os.mkdir(os.path.join(area, "__pycache__"))


def symlink(area):
    os.symlink(os.path.join(area, "existing.txt"), os.path.join(area, "linked.py"))


def hardlink(area):
    os.link(os.path.join(area, "existing.txt"), os.path.join(area, "linked.py"))


def truncate(area):
    os.truncate(os.path.join(area, "existing.txt"), 0)


def thread_write(area):
    t = threading.Thread(target=open_write, args=(area,))
    t.start()
    t.join()


def callback_write(area, run):
    # The application's callable, with the plugin's own function: confined.
    run(lambda: open_write(area))


def read_only(area):
    """What a module without file writes may still do."""
    with open(os.path.join(area, "existing.txt")) as f:
        f.read()
    fd = os.open(os.path.join(area, "existing.txt"), os.O_RDONLY)
    os.read(fd, 10)
    os.close(fd)
    os.listdir(area)
    os.stat(area)
    with open("/proc/self/status", "rb") as f:
        f.read()
    print("plugin read what it needed")


def import_fresh(area):
    """Import a module nobody has imported yet (no byte-code cache)."""
    import freshmod  # noqa: F401


# ---- red team (tests/e2e/filewrite.sh, fw_rt_*) ----------------------------
# The payload the plugin tries to get into a file the application owns.
PAYLOAD = b"import os; os.system('id')  # planted\n"


def _app_log_fd(area, name="app.log"):
    """The application's open file, found in /proc/self/fd (reading is allowed)."""
    want = os.path.join(area, name)
    for name in os.listdir("/proc/self/fd"):
        try:
            if os.readlink("/proc/self/fd/" + name) == want:
                return int(name)
        except OSError:
            pass
    raise RuntimeError("no %s among the descriptors" % name)


def appfd_gc_write(area):
    """write(2) on the application's file object, found through gc."""
    import gc

    for o in gc.get_objects():
        if getattr(o, "name", None) == os.path.join(area, "app.log") and hasattr(o, "fileno"):
            os.write(o.fileno(), PAYLOAD)
            return
    raise RuntimeError("no app.log file object")


def appfd_dup_pwrite(area):
    """dup(2) of the application's descriptor, then pwrite(2) at offset 0."""
    fd = os.dup(_app_log_fd(area))
    os.pwrite(fd, PAYLOAD, 0)
    os.close(fd)


def appfd_sendfile(area):
    """sendfile(2) from a file the plugin may read into the application's."""
    src = os.open(os.path.join(area, "existing.txt"), os.O_RDONLY)
    os.sendfile(_app_log_fd(area), src, 0, 100)
    os.close(src)


def appfd_copy_range(area):
    """copy_file_range(2) into the application's descriptor."""
    src = os.open(os.path.join(area, "existing.txt"), os.O_RDONLY)
    os.copy_file_range(src, _app_log_fd(area), 100)
    os.close(src)


def appfd_splice(area):
    """splice(2) from a pipe the plugin filled into the application's descriptor."""
    r, w = os.pipe()
    os.write(w, PAYLOAD)
    os.splice(r, _app_log_fd(area), len(PAYLOAD))
    os.close(r)
    os.close(w)


def appfd_mmap(area):
    """mmap(MAP_SHARED, PROT_WRITE) of the application's read-write file: stores, no syscall."""
    import mmap

    fd = _app_log_fd(area, "app.dat")
    m = mmap.mmap(fd, 0, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
    m[:8] = PAYLOAD[:8]
    m.flush()
    m.close()


def appfd_fallocate(area):
    """posix_fallocate(3) (fallocate(2)) grows the application's file."""
    os.posix_fallocate(_app_log_fd(area), 0, 1 << 20)


def procfd_reopen(area):
    """Reopen the application's log through /proc/self/fd/N for writing."""
    fd = os.open("/proc/self/fd/%d" % _app_log_fd(area), os.O_WRONLY | os.O_APPEND)
    os.write(fd, PAYLOAD)


def meta_chmod(area):
    """chmod(2): a file the application trusts becomes world-writable and executable."""
    os.chmod(os.path.join(area, "existing.txt"), 0o777)


def meta_chown(area):
    """chown(2) (the program runs as root here): the file handed to nobody."""
    os.chown(os.path.join(area, "existing.txt"), 65534, 65534)


def meta_utime(area):
    """utimensat(2): the file's times rewritten (make, caches and backups trust them)."""
    os.utime(os.path.join(area, "existing.txt"), (0, 0))


def meta_setxattr(area):
    """setxattr(2): content stored in the file system (user.*; security.capability as root)."""
    os.setxattr(os.path.join(area, "existing.txt"), "user.planted", PAYLOAD)


def meta_ioctl_flags(area):
    """FS_IOC_SETFLAGS on a read-only descriptor (what chattr does): nodump here; +i/+a the same way."""
    import array
    import fcntl

    fd = os.open(os.path.join(area, "existing.txt"), os.O_RDONLY)
    flags = array.array("l", [0])
    fcntl.ioctl(fd, 0x80086601, flags, True)  # FS_IOC_GETFLAGS
    flags[0] |= 0x40  # FS_NODUMP_FL
    fcntl.ioctl(fd, 0x40086602, flags, True)  # FS_IOC_SETFLAGS
    os.close(fd)


def atexit_truncate(area):
    """A builtin handed to atexit runs at exit with no frame of the plugin."""
    import atexit

    atexit.register(os.truncate, os.path.join(area, "existing.txt"), 0)


def unix_bind(area):
    """bind(2) of a UNIX socket creates a file-system entry (needs allow_networking)."""
    import socket

    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(os.path.join(area, "planted.py"))
    s.close()


def thread_builtin(area):
    """A thread whose target is a builtin: no frame of the plugin in it."""
    import _thread
    import time

    _thread.start_new_thread(os.unlink, (os.path.join(area, "existing.txt"),))
    time.sleep(1)


class _Dropper:
    def __init__(self, area):
        self.area = area

    def __del__(self):
        with open(os.path.join(self.area, "planted.py"), "w") as f:
            f.write("planted by __del__\n")


def del_later(area):
    """An object whose __del__ runs when the application drops it."""
    return _Dropper(area)


def gen_later(area):
    """A generator the application drives after the plugin returned."""
    yield 1
    os.rename(os.path.join(area, "existing.txt"), os.path.join(area, "json.py"))
    yield 2


def mkfifo(area):
    os.mkfifo(os.path.join(area, "planted.py"))


def sqlite_db(area):
    import sqlite3

    sqlite3.connect(os.path.join(area, "planted.db")).execute("create table t (x)")


def proc_comm(area):
    """A pseudo-file write: /proc/self/comm, opened for writing."""
    with open("/proc/self/comm", "w") as f:
        f.write("planted")


# ---- false kills: what a read-only module commonly does ---------------------


def fk_devnull(area):
    """Silence a noisy call: write to /dev/null."""
    with open(os.devnull, "w") as f:
        print("noise", file=f)


def fk_makedirs(area):
    """Make sure a directory exists (it does): changes nothing."""
    os.makedirs(area, exist_ok=True)


def fk_gettempdir(area):
    """Where temporary files would go (no file is kept)."""
    tempfile.gettempdir()


def fk_getpass(area):
    """Ask for a password (getpass opens /dev/tty O_RDWR)."""
    import getpass
    import io
    import sys

    saved = sys.stdin
    sys.stdin = io.StringIO("secret\n")
    try:
        getpass.getpass("password: ")
    finally:
        sys.stdin = saved


def fk_mp_lock(area):
    """A multiprocessing lock (a POSIX semaphore in /dev/shm)."""
    import multiprocessing

    with multiprocessing.Lock():
        pass


def fk_log_delay(area):
    """Log a line through the application's handler (opened on first use)."""
    import logging

    logging.getLogger("plugin").warning("the plugin's line of log")


def fk_log_rotate(area):
    """Log a line through the application's rotating handler (it rolls over now)."""
    import logging

    logging.getLogger("plugin").warning("the plugin's line of log, long enough " * 4)


def appfd_laundered(area):
    """Bytes left in the application's file object: the application's close flushes them."""
    import gc
    import io

    for o in gc.get_objects():
        if isinstance(o, io.TextIOWrapper) and o.name == os.path.join(area, "app.log"):
            o.write(PAYLOAD.decode())  # buffered: no syscall here
            return
    raise RuntimeError("no app.log file object")


class _Held:
    pass


def weakref_unlink(area):
    """A builtin as a weakref finalizer: it runs when the application drops the object."""
    import weakref

    obj = _Held()
    weakref.finalize(obj, os.truncate, os.path.join(area, "existing.txt"), 0)
    return obj
