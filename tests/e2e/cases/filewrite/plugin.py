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
