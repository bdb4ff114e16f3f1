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
    os.symlink(os.path.join(area, "data.txt"), os.path.join(area, "json"))


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
