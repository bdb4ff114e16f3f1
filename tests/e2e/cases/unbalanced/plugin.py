"""Ways for confined code to make CPython report a return without its entry.

A trace or profile function that raises on a function's "call" event (and,
on 3.11, an exception raised at the function's first instruction by a signal
handler) unwinds that function before CPython reports its entry, but the
unwinding still reports its return. An engine that counts depth would take
it for the return of the confined frame that called it."""
import os
import signal
import sys


class Refused(Exception):
    pass


def _refuse_call(frame, event, arg):
    if event == "call":
        raise Refused
    return None


def _refuse_return(frame, event, arg):
    # Local tracer: on 3.11 a raise on "return" skips that return's report,
    # so CPython reports an entry without its return (the depth goes up).
    if event == "return":
        raise Refused
    return _refuse_return


def _noop():
    pass


def _unbalanced(fn=_noop, *args, hook=sys.settrace):
    """Call fn so that its return is reported but not its entry."""
    hook(_refuse_call)  # removed by CPython once it raised
    try:
        fn(*args)
    except Refused:
        pass
    hook(None)


def settrace(marker_dir):
    _unbalanced()
    os.system("touch %s/plugin_ran" % marker_dir)  # a C call: no entry reported


def settrace_builtin(marker_dir):
    # A C callable as the trace function: no Python frame of its own.
    sys.settrace(len)  # len(frame, "call", None) raises TypeError
    try:
        _noop()
    except TypeError:
        pass
    sys.settrace(None)
    os.system("touch %s/plugin_ran" % marker_dir)  # a C call: no entry reported


def setprofile(marker_dir):
    _unbalanced(hook=sys.setprofile)
    os.system("touch %s/plugin_ran" % marker_dir)  # a C call: no entry reported


def many(marker_dir):
    for _ in range(20):
        _unbalanced()
    os.system("touch %s/plugin_ran" % marker_dir)  # a C call: no entry reported


def recursion(marker_dir, inner=False):
    # The unreported call is this very function: same file, name and code.
    if inner:
        return
    sys.settrace(_refuse_call)
    try:
        recursion(marker_dir, True)
    except Refused:
        pass
    sys.settrace(None)
    os.system("touch %s/plugin_ran" % marker_dir)  # a C call: no entry reported


def same_name(marker_dir):
    def same_name():  # another function with the same file and name
        pass

    sys.settrace(_refuse_call)
    try:
        same_name()
    except Refused:
        pass
    sys.settrace(None)
    os.system("touch %s/plugin_ran" % marker_dir)  # a C call: no entry reported


def reentry(marker_dir, inner=False):
    # A real call of itself that lowers the engine's count below the real
    # depth, then returns for real at the outer frame's counted depth.
    if inner:
        for _ in range(3):
            _unbalanced()
        return
    reentry(marker_dir, True)
    os.system("touch %s/plugin_ran" % marker_dir)  # a C call: no entry reported


def generator(marker_dir, twin=True):
    # A generator resumed from main: the confined frame is the generator's.
    # The second unreported call resumes its twin: the same code.
    if twin:
        other = generator(marker_dir, False)
        next(other)
    yield 1
    if twin:
        _unbalanced()
        _unbalanced(next, other)
        os.system("touch %s/plugin_ran" % marker_dir)  # a C call: no entry reported
    yield 2


def _suspended():
    yield 1
    yield 2


def throw(marker_dir):
    # generator.throw and close enter the generator through CPython's throw
    # path (on 3.10 and older, a raise there reports a return only).
    for method in ("throw", "close"):
        g = _suspended()
        next(g)
        sys.settrace(_refuse_call)
        try:
            if method == "throw":
                g.throw(KeyError)
            else:
                g.close()
        except (Refused, KeyError):
            pass
        sys.settrace(None)
    os.system("touch %s/plugin_ran" % marker_dir)  # a C call: no entry reported


def extra_entries(marker_dir):
    # Entries without returns first (3.11), then returns without entries:
    # the count moves both ways around the confined frame's depth.
    for _ in range(3):
        sys.settrace(_refuse_return)
        try:
            _noop()
        except Refused:
            pass
        sys.settrace(None)
    for _ in range(8):
        _unbalanced()
    os.system("touch %s/plugin_ran" % marker_dir)  # a C call: no entry reported


def signal_resume(marker_dir):
    # 3.11 checks for pending signals at a function's first instruction,
    # before it reports the entry: a handler raising there unwinds it.
    noop_code = _noop.__code__

    def handler(signum, frame):
        if frame is not None and frame.f_code is noop_code:
            raise Refused

    old = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, 0.0002, 0.0002)
    for _ in range(100000):
        try:
            _noop()
        except Refused:
            pass
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, old)
    os.system("touch %s/plugin_ran" % marker_dir)  # a C call: no entry reported


def benign_tracer():
    # The same tricks, then a normal return: main must be free again.
    for _ in range(5):
        _unbalanced()
    _unbalanced(hook=sys.setprofile)
    return 0


def benign_recursion(n=3):
    if n:
        _unbalanced(benign_recursion, 0)
        return benign_recursion(n - 1)
    return 0


def benign_extra_entries():
    # Entries without returns (3.11): this frame's return comes at a higher
    # count than its entry did.
    for _ in range(3):
        sys.settrace(_refuse_return)
        try:
            _noop()
        except Refused:
            pass
        sys.settrace(None)
    return 0


def benign_raise():
    _unbalanced()
    raise Refused  # unwinds this frame: its own return


def benign_generator():
    for i in range(3):
        _unbalanced()
        yield i
