"""Count the syscalls of the measured window in an `strace -f -o FILE` log.

    python3 count_window.py LOG

What counts: the main thread between its stat of /secimport-baseline-begin
and of /secimport-baseline-end, and every thread that first appears after
the begin marker (the workload's threads, to their end). Left out: threads
that existed before (the signal sender), the stop/continue helper process,
and startup and shutdown. Prints "COUNT NAME" lines, most frequent first.
"""
import collections
import re
import sys

LINE = re.compile(r"^(\d+) +(?:<\.\.\. (\w+) resumed>|(\w+)\()")
# x86_64 syscalls newer than some strace builds, which print them by number.
NEWER = {"syscall_0x14f": "uretprobe", "syscall_0x150": "uprobe"}


def main(path):
    lines = open(path, errors="replace").read().splitlines()
    helpers = {int(l.split()[0]) for l in lines if "/secimport-baseline-helper" in l}
    before, main_tid, state = set(), None, 0
    counts = collections.Counter()
    for line in lines:
        m = LINE.match(line)
        if not m or m.group(2):  # a resumed call was counted where it started
            continue
        tid, name = int(m.group(1)), m.group(3)
        name = NEWER.get(name, name)
        if tid in helpers:
            continue
        if "/secimport-baseline-begin" in line:
            state, main_tid = 1, tid
            continue
        if "/secimport-baseline-end" in line:
            state = 2
            continue
        if state == 0:
            before.add(tid)
        elif tid == main_tid:
            if state == 1:
                counts[name] += 1
        elif tid not in before:
            counts[name] += 1
    if not main_tid:
        sys.exit("%s: no /secimport-baseline-begin marker" % path)
    for name, n in counts.most_common():
        print(n, name)


if __name__ == "__main__":
    main(sys.argv[1])
