# A module with the default file writes: it keeps a cache.
import os


def store(area):
    path = os.path.join(area, "cache.bin")
    with open(path + ".tmp", "wb") as f:
        f.write(b"cached")
    os.replace(path + ".tmp", path)
    os.unlink(path)
