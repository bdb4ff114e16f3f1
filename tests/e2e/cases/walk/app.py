"""Frame-walking cases; every confined touch() is one event (log mode).
Prints the number of events each scenario should give."""
import socket
import sys

import plugin


def unconfined_touch():
    socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()


def main_gen(n):
    for i in range(n):
        unconfined_touch()
        yield i


scenario = sys.argv[2]
if scenario == "gen_resumed_by_main":
    for _ in plugin.gen(4):  # confined generator resumed from main: 4 events
        unconfined_touch()  # main between resumptions: none
    expected = 4
elif scenario == "main_gen_driven_by_plugin":
    plugin.drive(main_gen(3))  # main's generator resumed inside confined code: 3
    for _ in main_gen(2):  # the same kind of generator resumed by main: none
        pass
    expected = 3
elif scenario == "c_calls_main":
    plugin.sort_with(lambda x: (unconfined_touch(), x)[1], [3, 1, 2])  # 3 events
    plugin.json_with(lambda d: (unconfined_touch(), d)[1])  # 2 events
    expected = 5
elif scenario == "c_calls_plugin":
    sorted([5, 4, 3, 2], key=plugin.key)  # main -> sorted -> confined key: 4 events
    expected = 4
else:
    raise SystemExit("unknown scenario " + scenario)
print("expected", expected)
