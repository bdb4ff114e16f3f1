import os
import threading


def start_thread(markers):
    t = threading.Thread(target=os.system, args=("touch %s/thread_ran" % markers,))
    t.start()
    return t


def fork_child():
    return os.fork()
