# Escapes tried by a confined module (allow_shell: false, no network) through
# what CPython 3.13-3.15 added: sub-interpreters in the standard library
# (concurrent.interpreters, InterpreterPoolExecutor) and the sharing of
# functions between interpreters, remote debugging (sys.remote_exec, PEP
# 768), deferred annotations (PEP 649), _thread.start_joinable_thread,
# copy.replace, the JIT.
import functools
import os
import sys
import threading
import time

JSON = os.path.join(os.path.dirname(os.__file__), "json", "__init__.py")


def attack(marker_dir):
    os.system("touch %s/escaped" % marker_dir)


def task(marker_dir):
    # A stateless function (no closure, no globals but builtins), so one an
    # interpreter can share with another, whose code claims to be json's.
    ns = {}
    exec(compile("def loads():\n    __import__('os').system('touch %s/escaped')\n" % marker_dir,
                 JSON, "exec"), ns)
    return ns["loads"]


def queued_task(marker_dir):
    # The task put on a cross-interpreter queue; the application takes it.
    from concurrent import interpreters

    q = interpreters.create_queue()
    q.put(task(marker_dir))
    return q


def handler(marker_dir):
    # A handler whose annotation is a string: evaluated by whoever asks
    # for its type hints.
    def handler(x):
        pass

    handler.__annotations__ = {"x": "__import__('os').system('touch %s/escaped') and int" % marker_dir}
    return handler


def lazy_annotation(marker_dir):
    # From 3.14 annotations are evaluated when first asked for, by
    # __annotate__: this module's code, run by the application.
    ns = {}
    exec("import os\ndef handler(x: os.system('touch %s/escaped')): pass\n" % marker_dir, ns)
    return ns["handler"]


def _script(marker_dir):
    path = "%s/script.txt" % marker_dir
    with open(path, "w") as f:
        f.write("import os; os.system('touch %s/escaped')\n" % marker_dir)
    return path


def remote_exec_self(marker_dir):
    # PEP 768: the interpreter runs a script at its next safe point, with
    # whatever is on the stack then.
    sys.remote_exec(os.getpid(), _script(marker_dir))


def remote_exec_thread(marker_dir):
    # The same from a thread with a builtin target, after this frame returned.
    threading.Timer(0.05, sys.remote_exec, args=(os.getpid(), _script(marker_dir))).start()


def interp_exec(marker_dir):
    from concurrent import interpreters

    interpreters.create().exec("import os; os.system('touch %s/escaped')" % marker_dir)


def interp_call(marker_dir):
    from concurrent import interpreters

    interpreters.create().call(os.system, "touch %s/escaped" % marker_dir)


def interp_call_in_thread(marker_dir):
    from concurrent import interpreters

    interpreters.create().call_in_thread(os.system, "touch %s/escaped" % marker_dir).join()


def interp_kept(marker_dir):
    # A sub-interpreter this module prepared; the application runs in it later.
    from concurrent import interpreters

    interp = interpreters.create()
    interp.exec("import os\ndef f():\n    os.system('touch %s/escaped')\n" % marker_dir)
    return interp


def interp_pool(marker_dir):
    from concurrent.futures import InterpreterPoolExecutor

    with InterpreterPoolExecutor(1) as ex:
        ex.submit(os.system, "touch %s/escaped" % marker_dir).result()


def joinable_thread(marker_dir):
    # 3.13's low-level thread API, with a builtin target.
    import _thread

    _thread.start_joinable_thread(functools.partial(os.system, "touch %s/escaped" % marker_dir)).join()


def copy_replace(marker_dir):
    # 3.13's copy.replace (code.__replace__) renaming the code.
    import copy

    def f():
        os.system("touch %s/escaped" % marker_dir)

    f.__code__ = copy.replace(f.__code__, co_filename=JSON, co_name="loads")
    return f


def codetype(marker_dir):
    # The code type's constructor, under json's name.
    import types

    c = compile("import os\nos.system('touch %s/escaped')\n" % marker_dir, "<string>", "exec")
    forged = types.CodeType(c.co_argcount, c.co_posonlyargcount, c.co_kwonlyargcount, c.co_nlocals,
                            c.co_stacksize, c.co_flags, c.co_code, c.co_consts, c.co_names,
                            c.co_varnames, JSON, c.co_name, c.co_qualname, c.co_firstlineno,
                            c.co_linetable, c.co_exceptiontable)
    del c
    return types.FunctionType(forged, {})


def _hot(i, marker_dir):
    if i == 20000:
        os.system("touch %s/escaped" % marker_dir)
    return i + 1


def jit_hot(marker_dir):
    # A loop hot enough to be traced and compiled by the JIT (PYTHON_JIT=1)
    # before it reaches the command.
    i = 0
    while i < 30000:
        i = _hot(i, marker_dir)


def busy(seconds):
    # Benign: computes for a while, no system call of its own to speak of.
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        n += 1
    return n


def touch_lazy(app):
    # Benign: reads an attribute of a module the application imports lazily.
    return app.apphelper.spawn.__name__


# Objects that are not stateless functions cross between interpreters by
# pickle, and are unpickled on the receiver's stack: what __reduce__
# returns is called there, with no frame of this module.
class _Reduced:
    def __init__(self, marker_dir):
        self.cmd = "touch %s/escaped" % marker_dir

    def __reduce__(self):
        return (os.system, (self.cmd,))

    def __call__(self):
        pass


def reduced(marker_dir):
    return _Reduced(marker_dir)


def compute(marker_dir):
    # Run by the application in a sub-interpreter: the result goes back.
    return _Reduced(marker_dir)


class PluginError(Exception):
    def __reduce__(self):
        return (os.system, (self.args[0],))


def failing(marker_dir):
    raise PluginError("touch %s/escaped" % marker_dir)


class _Unmarshalled:
    # Unpickles to code of this module's, rebuilt by Python's marshal.loads
    # (not the probed C API) under json's name, and exec'd.
    def __init__(self, blob):
        self.blob = blob

    def __reduce__(self):
        import marshal

        return (marshal.loads, (self.blob,))


class _Exec:
    def __init__(self, marker_dir):
        import marshal

        code = compile("import os\nos.system('touch %s/escaped')\n" % marker_dir, JSON, "exec")
        self.blob = marshal.dumps(code)

    def __reduce__(self):
        return (exec, (_Unmarshalled(self.blob), {}))

    def __call__(self):
        pass


def reduced_code(marker_dir):
    return _Exec(marker_dir)


def many_shared(n):
    # Shares n stateless functions of different lengths through a queue
    # and drops them: nothing stays alive.
    from concurrent import interpreters

    q = interpreters.create_queue()
    for i in range(n):
        ns = {}
        exec("def f():\n    return %r\n" % ("x" * i), ns)
        q.put(ns["f"])
        q.get()
    return n
