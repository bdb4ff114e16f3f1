import os


def store(marker_dir):
    """Opens a file for writing; the application marks that it returned."""
    with open(os.path.join(marker_dir, "stored"), "w") as f:
        f.write("written by fwmod\n")
