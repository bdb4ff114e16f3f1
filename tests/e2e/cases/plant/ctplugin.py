# A module allowed ctypes (as a module's own C extension would be: the same
# syscalls, native code), not programs: renameat2 and mount are not in
# Python's os module.
import ctypes
import os

_libc = ctypes.CDLL(None, use_errno=True)
RENAME_EXCHANGE = 2
MS_BIND = 4096


def ct_dir_exchange(area):
    """RENAME_EXCHANGE with the directory as the *new* name: a package
    moved into place while inode_rename looks at old_dentry for a directory."""
    os.mkdir(os.path.join(area, "staging"))
    with open(os.path.join(area, "staging", "data.txt"), "w") as f:
        f.write("data\n")
    open(os.path.join(area, "json"), "w").close()  # a plain file: the old name
    r = _libc.renameat2(-100, os.path.join(area, "json").encode(), -100,
                        os.path.join(area, "staging").encode(), RENAME_EXCHANGE)
    if r:
        raise OSError(ctypes.get_errno(), "renameat2")


def ct_bind_mount(area):
    """A data file bind-mounted over existing.py: no code name is written."""
    with open(os.path.join(area, "notes.txt"), "w") as f:
        f.write("import os\nos.system('touch planted_ran')\n")
    r = _libc.mount(os.path.join(area, "notes.txt").encode(),
                    os.path.join(area, "existing.py").encode(), None, MS_BIND, None)
    if r:
        raise OSError(ctypes.get_errno(), "mount")
