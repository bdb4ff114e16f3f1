# Confined by the system policy of t_xi_call: a task under json's file name.
import os

JSON = os.path.join(os.path.dirname(os.__file__), "json", "__init__.py")


def task(marker_dir):
    ns = {}
    src = "def loads():\n    __import__('os').system('touch %s/escaped')\n" % marker_dir
    exec(compile(src, JSON, "exec"), ns)
    return ns["loads"]
