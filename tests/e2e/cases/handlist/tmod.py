# Confined by a hand-written list: it may start threads (clone, clone3) and
# nothing else of its own; what the interpreter does by itself is the
# baseline's (3.14+ also names each thread and reads its CPU affinity).
import threading


def run(n):
    done = []
    lock = threading.Lock()

    def work(i):
        with lock:
            done.append(i)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(done)
