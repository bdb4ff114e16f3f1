"""A confined module tries to end its own confinement with returns whose
entries CPython never reported (see plugin.py). Each attack ends with the
module's own os.system, which must be killed. The benign_* scenarios play
the same tricks, then the module's frames end for real: main's os.system
must work."""
import os
import sys

import plugin

marker_dir, scenario = sys.argv[1], sys.argv[2]
main_cmd = "touch %s/main_ran" % marker_dir
if scenario == "benign_generator":
    for i in plugin.benign_generator():
        if i == 1:
            os.system(main_cmd)  # the generator is suspended: main is free
elif scenario.startswith("benign_"):
    try:
        getattr(plugin, scenario)()
    except plugin.Refused:
        pass  # benign_raise: an exception ended the module's frame
    os.system(main_cmd)
elif scenario == "generator":
    for _ in plugin.generator(marker_dir):  # resumed from main
        pass
else:
    getattr(plugin, scenario)(marker_dir)
print("main ran" if os.path.exists("%s/main_ran" % marker_dir) else "app: not reached")
