import os


def compute(marker_dir):
    """numpy imports ctypes at start-up (dlopen(None)); that is not a violation."""
    import numpy

    a = numpy.arange(100, dtype=numpy.float64).reshape(10, 10)
    assert float((a @ a.T).trace()) > 0
    assert a.ctypes.data  # an address, read: no raw access
    open(os.path.join(marker_dir, "numpy_ran"), "w").close()
