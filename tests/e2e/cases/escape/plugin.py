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
