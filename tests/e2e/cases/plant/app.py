# The trusted application: it gives the plugin a directory and records,
# after each attempt returns, that the plugin got through.
import os
import sys

import plugin
import shellok

marker_dir, scenario = sys.argv[1], sys.argv[2]
area = os.path.join(marker_dir, "area")
os.makedirs(area, exist_ok=True)
with open(os.path.join(area, "existing.py"), "w") as f:
    f.write("VALUE = 0\n")

os.system("touch %s/main_ran" % marker_dir)
if scenario == "generate":
    shellok.generate(area)
elif scenario.startswith("ct_"):
    import ctplugin

    getattr(ctplugin, scenario)(area)
else:
    getattr(plugin, scenario)(area)
open(os.path.join(marker_dir, "returned_" + scenario), "w").close()
