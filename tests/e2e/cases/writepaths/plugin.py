# Confined with write_paths: [<marker dir>/area/cache]. Each function tries
# one way to change a file; the application records what returned.
import os
import threading


def inside(area):
    """What write_paths allows: any change under the cache directory."""
    cache = os.path.join(area, "cache")
    with open(os.path.join(cache, "entry.json"), "w") as f:
        f.write("{}\n")
    os.makedirs(os.path.join(cache, "sub", "deeper"), exist_ok=True)
    with open(os.path.join(cache, "sub", "deeper", "blob"), "wb") as f:
        f.write(b"x" * 100)
    os.rename(os.path.join(cache, "entry.json"), os.path.join(cache, "sub", "entry.json"))
    os.truncate(os.path.join(cache, "sub", "entry.json"), 1)
    os.chmod(os.path.join(cache, "sub", "entry.json"), 0o600)
    os.symlink("entry.json", os.path.join(cache, "sub", "latest"))
    os.unlink(os.path.join(cache, "sub", "latest"))
    os.unlink(os.path.join(cache, "sub", "deeper", "blob"))
    os.rmdir(os.path.join(cache, "sub", "deeper"))
    # the directory's own mode: it is the module's
    os.chmod(cache, 0o755)


def open_outside(area):
    with open(os.path.join(area, "planted.txt"), "w") as f:
        f.write("outside\n")


def append_outside(area):
    with open(os.path.join(area, "existing.txt"), "a") as f:
        f.write("appended\n")


def dotdot(area):
    with open(os.path.join(area, "cache", "..", "dotdot.txt"), "w") as f:
        f.write("outside\n")


def rename_out(area):
    path = os.path.join(area, "cache", "made.txt")
    with open(path, "w") as f:
        f.write("made inside\n")
    os.rename(path, os.path.join(area, "moved_out.txt"))


def rename_in(area):
    # Taking the application's file into the cache removes it outside.
    os.rename(os.path.join(area, "existing.txt"), os.path.join(area, "cache", "taken.txt"))


def link_in(area):
    # A second name inside for a file outside: writing it writes outside.
    os.link(os.path.join(area, "existing.txt"), os.path.join(area, "cache", "alias.txt"))


def symlink_out(area):
    # A symlink inside is allowed; opening it for writing lands outside.
    link = os.path.join(area, "cache", "to_existing")
    os.symlink(os.path.join(area, "existing.txt"), link)
    with open(link, "w") as f:
        f.write("through a symlink\n")


def truncate_out(area):
    os.truncate(os.path.join(area, "existing.txt"), 0)


def trunc_open_out(area):
    os.close(os.open(os.path.join(area, "existing.txt"), os.O_RDONLY | os.O_TRUNC))


def chmod_out(area):
    os.chmod(os.path.join(area, "existing.txt"), 0o777)


def unlink_out(area):
    os.unlink(os.path.join(area, "existing.txt"))


def mkdir_out(area):
    os.mkdir(os.path.join(area, "newdir"))


def blockdev_inside(area):
    # A block device node inside the directory writes any file of its disk.
    import stat

    os.mknod(os.path.join(area, "cache", "disk"), stat.S_IFBLK | 0o600, os.makedev(7, 0))


def xattr_out(area):
    # Extended attributes (POSIX ACLs among them): no file hook sees where.
    os.setxattr(os.path.join(area, "existing.txt"), "trusted.secimport", b"1")


def thread_out(area):
    errors = []

    def run():
        try:
            open_outside(area)
        except OSError as e:
            errors.append(e)

    t = threading.Thread(target=run)
    t.start()
    t.join()
    if errors:
        raise errors[0]


OUTSIDE = [
    open_outside, append_outside, dotdot, rename_out, rename_in, link_in, symlink_out,
    truncate_out, trunc_open_out, chmod_out, unlink_out, mkdir_out, thread_out,
    blockdev_inside,
]
