# A module allowed to run programs may also write code (a code generator).
import os


def generate(area):
    with open(os.path.join(area, "generated.py"), "w") as f:
        f.write("VALUE = 1\n")
