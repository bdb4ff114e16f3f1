import os


def run(marker_dir):
    pid = os.fork()
    if pid == 0:
        open(marker_dir + "/child_ran", "w").close()
        os._exit(0)
    os.waitpid(pid, 0)
