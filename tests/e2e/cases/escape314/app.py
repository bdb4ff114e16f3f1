# The trusted application: spawns a command of its own (which must work),
# then lets the confined plugin try one escape, or uses what it handed over
# the way an application would.
import os
import sys
import time

import plugin

marker_dir, scenario = sys.argv[1], sys.argv[2]
os.system("touch %s/main_ran" % marker_dir)

if scenario == "xi_call":
    # The application runs the plugin's task in a sub-interpreter, to isolate it.
    from concurrent import interpreters

    interpreters.create().call(plugin.task(marker_dir))
elif scenario == "xi_call_plain":
    from concurrent import interpreters

    interpreters.create().call(plugin.attack, marker_dir)
elif scenario == "xi_queue":
    plugin.queued_task(marker_dir).get()()
elif scenario == "xi_pool":
    from concurrent.futures import InterpreterPoolExecutor

    with InterpreterPoolExecutor(1) as ex:
        ex.submit(plugin.task(marker_dir)).result()
elif scenario == "xi_app_own":
    # Benign: after the plugin's task went through a queue (taken, never
    # run), the application shares its own stateless function the same
    # ways, many times; it may spawn.
    from concurrent import interpreters

    import apphelper

    plugin.queued_task(marker_dir).get()
    interp = interpreters.create()
    q = interpreters.create_queue()
    for _ in range(20):
        interp.call(apphelper.spawn_stateless, marker_dir)
        q.put(apphelper.spawn_stateless)
        q.get()(marker_dir)
elif scenario == "xi_pickle_reduce":
    from concurrent import interpreters

    interpreters.create().call(plugin.reduced(marker_dir))
elif scenario == "xi_pickle_result":
    # The application isolates the plugin's function in a sub-interpreter;
    # its result comes back by pickle.
    from concurrent import interpreters

    interpreters.create().call(plugin.compute, marker_dir)
elif scenario == "xi_pickle_exception":
    from concurrent.futures import InterpreterPoolExecutor

    with InterpreterPoolExecutor(1) as ex:
        try:
            ex.submit(plugin.failing, marker_dir).result()
        except Exception:
            pass
elif scenario == "xi_pickle_code":
    from concurrent import interpreters

    interpreters.create().call(plugin.reduced_code(marker_dir))
elif scenario == "xi_many":
    # Benign: many shares of the plugin's own functions, none kept.
    plugin.many_shared(70000)
    os.system("touch %s/after_many" % marker_dir)
elif scenario == "annotation_string":
    import typing

    typing.get_type_hints(plugin.handler(marker_dir))
elif scenario == "lazy_annotation":
    import typing

    typing.get_type_hints(plugin.lazy_annotation(marker_dir))
elif scenario == "interp_kept":
    plugin.interp_kept(marker_dir).exec("f()")
elif scenario == "signal_handler":
    # Benign: the application's own timer signal, handled while the plugin
    # computes; the handler spawns (the application may).
    import signal

    signal.signal(signal.SIGALRM, lambda *a: os.system("touch %s/handler_ran" % marker_dir))
    signal.setitimer(signal.ITIMER_REAL, 0.3)
    plugin.busy(1.5)
elif scenario == "debugger":
    # Benign: a debugger outside (sys.remote_exec) runs a script in the
    # application while the plugin computes.
    open("%s/pid" % marker_dir, "w").write(str(os.getpid()))
    plugin.busy(4)
elif scenario == "lazy_syntax":
    import applazy

    applazy.main(marker_dir)
else:
    handed = getattr(plugin, scenario)(marker_dir)
    time.sleep(0.5)
    if callable(handed):
        handed()
print("app: the plugin did not get out")
