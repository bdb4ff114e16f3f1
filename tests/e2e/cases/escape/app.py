# The trusted application: spawns a command of its own (which must work),
# then lets the confined plugin try one escape, then gives it the chances an
# application gives (calling what the plugin handed over, running a worker).
import os
import sys
import threading
import time

import plugin

marker_dir, scenario = sys.argv[1], sys.argv[2]
# Thread scenarios run first thing: the first stack walk of the process then
# happens while the new thread's state exists (3.8-3.11 preallocate it).
if not scenario.startswith("thread_"):
    os.system("touch %s/main_ran" % marker_dir)

if scenario == "many_threads":
    # A worker the application created before the plugin's threads.
    jobs = []
    ready = threading.Event()

    def worker():
        ready.wait()
        for job in jobs:
            job()

    w = threading.Thread(target=worker)
    w.start()
    plugin.many_threads(marker_dir, jobs)
    ready.set()
    w.join()
elif scenario == "subinterp_import":
    # Unconfined code runs a sub-interpreter; the plugin runs inside it.
    sub = plugin.subinterpreters()
    iid = sub.create()
    here = os.path.dirname(os.path.abspath(__file__))
    sub.run_string(iid, "import sys; sys.path.insert(0, %r); import plugin; plugin.attack(%r)"
                   % (here, marker_dir))
elif scenario == "import_not_owned":
    # The plugin imports modules first; the application uses them after.
    plugin.import_first()
    import apphelper
    import subprocess

    apphelper.spawn(marker_dir)
    subprocess.run(["touch", "%s/main_subprocess_ran" % marker_dir], check=True)
elif scenario == "address_reuse":
    # The plugin's code objects die; the application's own take their
    # addresses and spawn, which the application may.
    import gc

    for i in range(300):
        plugin.make_code(i)
        gc.collect()
        ns = {}
        exec(plugin.code_text(i), ns)
        ns["f"]()
    ns = {}
    exec("import os\ndef f(m):\n    os.system('touch %s/reuse_ran' % m)\n", ns)
    ns["f"](marker_dir)
elif scenario == "pending_threads":
    # The application (no plugin involved) starts threads back to back with
    # the low-level API, then spawns: on 3.8-3.11 each new thread's state
    # carries its creator's ids until the thread runs.
    import _thread

    go = threading.Event()
    lock = threading.Lock()
    left = [32]

    def worker(i):
        go.wait()
        os.system("touch %s/thread_%d" % (marker_dir, i))
        with lock:
            left[0] -= 1

    def starter():
        # A thread of the application's whose first stack walk is here. New
        # threads run late on a busy machine; here, deterministically: one
        # CPU, and a FIFO priority they inherit, so none runs before this
        # thread blocks.
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(1))
        for i in range(32):
            _thread.start_new_thread(worker, (i,))
        os.system("touch %s/after_threads" % marker_dir)

    s = threading.Thread(target=starter)
    s.start()
    s.join()
    go.set()
    while left[0]:
        time.sleep(0.05)
    os.system("touch %s/threads_done" % marker_dir)
elif scenario == "lazy_import":
    # The application imports its helper lazily (importlib.util.LazyLoader,
    # the documented recipe); the plugin is the first to touch it, so the
    # helper's module body runs then, outside any _find_and_load.
    import importlib.util

    spec = importlib.util.find_spec("apphelper")
    spec.loader = importlib.util.LazyLoader(spec.loader)
    helper = importlib.util.module_from_spec(spec)
    sys.modules["apphelper"] = helper
    spec.loader.exec_module(helper)
    plugin.look_at_helper()
    helper.spawn(marker_dir)
elif scenario == "fork_forged":
    # A forked worker of the application calls what the plugin handed over.
    handed = plugin.compile_forged(marker_dir)
    pid = os.fork()
    if pid == 0:
        handed()
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    print("child status %d" % (-os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)))
else:
    handed = getattr(plugin, scenario)(marker_dir)
    time.sleep(0.5)
    # The application later calls what the plugin gave it, from its own code.
    if callable(handed):
        handed()
print("app: the plugin did not get out")
