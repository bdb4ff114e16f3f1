# Escapes tried by a confined module (allow_shell: false, no network), each
# without a frame of this file on the stack when the command runs, or with
# its frames made to look like someone else's.
import os
import sys
import threading


def attack(marker_dir):
    os.system("touch %s/escaped" % marker_dir)


def thread_timer(marker_dir):
    # A builtin as a thread's target: no frame of the plugin in the thread.
    threading.Timer(0.1, os.system, args=("touch %s/escaped" % marker_dir,)).start()


def thread_builtin(marker_dir):
    t = threading.Thread(target=os.system, args=("touch %s/escaped" % marker_dir,))
    t.start()
    t.join()


def many_threads(marker_dir, jobs):
    # More idle thread states than a bounded search looks at, then the
    # plugin's code on the application's older worker thread.
    stop = threading.Event()
    idle = [threading.Thread(target=stop.wait) for _ in range(300)]
    for t in idle:
        t.start()
    jobs.append(lambda: attack(marker_dir))
    jobs.append(stop.set)


def subinterpreters():
    try:
        import _interpreters as sub  # 3.13+
    except ImportError:
        import _xxsubinterpreters as sub  # 3.8-3.12
    return sub


def subinterp_run(marker_dir):
    # Code run in a sub-interpreter created by the plugin.
    sub = subinterpreters()
    iid = sub.create()
    sub.run_string(iid, "import os; os.system('touch %s/escaped')" % marker_dir)


def fix_co_filename(marker_dir):
    # The import system's API rewrites co_filename of running code in place.
    import _imp

    _imp._fix_co_filename(sys._getframe().f_code, os.__file__)
    _imp._fix_co_filename(attack.__code__, os.__file__)
    attack(marker_dir)


def _forged(src, name):
    ns = {}
    exec(compile(src, os.path.join(os.path.dirname(os.__file__), "json", "__init__.py"), "exec"), ns)
    return ns[name]


def compile_forged(marker_dir):
    # Code that claims to be json's, handed to the application to call later.
    return _forged("import os\ndef f():\n    os.system('touch %s/escaped')\n" % marker_dir, "f")


def code_replace(marker_dir):
    def f():
        os.system("touch %s/escaped" % marker_dir)

    f.__code__ = f.__code__.replace(co_filename=os.__file__)
    return f


def code_plain_exec(marker_dir):
    # Code compiled from a string by the plugin ('<string>'), called later.
    ns = {}
    exec("import os\ndef f():\n    os.system('touch %s/escaped')\n" % marker_dir, ns)
    return ns["f"]


def import_first():
    # Imports of modules nobody imported yet: their code is theirs.
    import apphelper  # noqa: F401
    import subprocess  # noqa: F401


_keep = []


def make_code(i):
    # Code the plugin creates, then drops: the application's identical code
    # (same sizes, so the allocator hands out the same addresses) comes next.
    ns = {}
    exec(code_text(i), ns)
    return ns["f"]


def code_text(i):
    return "import socket\ndef f():\n    socket.socket().close()\ndef g%d():\n    pass\n" % i


def subinterp_create(marker_dir):
    # An interpreter is a thread of execution: refused without threads.
    sub = subinterpreters()
    sub.create()
    open("%s/escaped" % marker_dir, "w").close()
# --- code identity: code the plugin makes that must stay the plugin's ------

_SRC = "import os\ndef f():\n    os.system('touch %s/escaped')\n"


def import_boundary_exec(marker_dir):
    # The import system's own _find_and_load calls the importer-supplied
    # import_ on the parent package's name: with exec, that "name" is source
    # compiled with no frame of this file between compile and _find_and_load.
    import importlib._bootstrap as bootstrap

    src = "global _escape_f\ndef _escape_f():\n    __import__('os').system('touch %s/escaped')\n" % marker_dir
    try:
        bootstrap._find_and_load(src + "#.x", exec)
    except Exception:
        pass  # KeyError: the "parent package" is not in sys.modules
    return bootstrap.__dict__.pop("_escape_f")


def _forging_loader(marker_dir):
    # A stock source loader whose get_data returns the plugin's source: it
    # has returned before the import system compiles what it gave.
    import importlib.machinery

    src = (_SRC % marker_dir).encode()

    class Loader(importlib.machinery.SourceFileLoader):
        def get_data(self, path):
            return src

        def path_stats(self, path):
            raise OSError

    return Loader


def import_boundary_loader(marker_dir):
    # The forging loader, found by a meta_path finder of the plugin's and
    # run by an ordinary import statement (under _find_and_load).
    import importlib.abc
    import importlib.util

    Loader = _forging_loader(marker_dir)

    class Finder(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name != "forged_mod":
                return None
            return importlib.util.spec_from_loader(name, Loader(name, "/nonexistent/forged_mod.py"))

    sys.meta_path.insert(0, Finder())
    import forged_mod

    return forged_mod.f


def zipimport_forged(marker_dir):
    # The import boundary with a stock loader: source the plugin wrote into
    # a zip archive, imported by the plugin through zipimport.
    import zipfile

    path = os.path.join(marker_dir, "forged.zip")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("zipped_mod.py", _SRC % marker_dir)
    sys.path.insert(0, path)
    import zipped_mod

    return zipped_mod.f


def loader_direct(marker_dir):
    # The same forging loader run by the plugin itself (no _find_and_load):
    # the code is created under the plugin's frame.
    import importlib.util

    Loader = _forging_loader(marker_dir)
    spec = importlib.util.spec_from_loader("forged_direct", Loader("forged_direct", "/nonexistent/forged_direct.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.f


def marshal_forged(marker_dir):
    # Code under json's name, made by unmarshalling (its own constructor
    # call site), handed to the application.
    import marshal

    code = compile(_SRC % marker_dir, os.path.join(os.path.dirname(os.__file__), "json", "__init__.py"), "exec")
    data = marshal.dumps(code)
    del code
    ns = {}
    exec(marshal.loads(data), ns)
    return ns["f"]


def exec_in_thread(marker_dir):
    # Code compiled on a thread the plugin started with a builtin target:
    # the thread inherited the plugin's confinement, but no frame of this
    # file is on its stack when exec() compiles the string.
    ns = {}
    t = threading.Thread(target=exec, args=(_SRC % marker_dir, ns))
    t.start()
    t.join()
    return ns["f"]


def foreign_code(marker_dir):
    # Someone else's code object (genericpath.exists: os.stat(path) in a
    # try), with this module's choice of globals and defaults: the frame
    # runs genericpath's code, whose identity is genericpath's.
    import genericpath
    import types

    g = {"os": types.SimpleNamespace(stat=os.system), "__builtins__": __builtins__}
    return types.FunctionType(genericpath.exists.__code__, g, "exists", ("touch %s/escaped" % marker_dir,))


def generator_later(marker_dir):
    # A generator of the plugin's, suspended before its command: the
    # application resumes it later through a C method.
    def gen():
        yield
        os.system("touch %s/escaped" % marker_dir)
        yield

    g = gen()
    next(g)
    return g.__next__


def profile_hook(marker_dir):
    # A profile function made from a string, installed on the application's
    # thread and called for the application's own calls later.
    ns = {}
    exec("import os, sys\n"
         "def hook(frame, event, arg):\n"
         "    if event == 'c_call':\n"
         "        sys.setprofile(None)\n"
         "        os.system('touch %s/escaped')\n" % marker_dir, ns)
    sys.setprofile(ns["hook"])


def look_at_helper():
    # Benign: reads an attribute of the application's helper module (which
    # the application imports lazily).
    import apphelper

    return apphelper.spawn.__name__


class _Spawn:
    # Rebuilt by copy through os.system (what __reduce_ex__ names).
    def __init__(self, cmd):
        self.cmd = cmd

    def __reduce_ex__(self, proto):
        return (os.system, (self.cmd,))


def deep_stack(marker_dir):
    # The plugin's frame under more frames than a walk reads: copy's own
    # recursion (not the plugin's code) spawns at the bottom of a deep list.
    import copy

    sys.setrecursionlimit(100000)
    x = _Spawn("touch %s/escaped" % marker_dir)
    for _ in range(9000):
        x = [x]
    copy.deepcopy(x)
