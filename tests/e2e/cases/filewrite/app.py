# The trusted application: it gives the confined plugin a directory and
# records, after each attempt returns, that the plugin got through.
import os
import sys

import cache
import plugin

marker_dir, scenario = sys.argv[1], sys.argv[2]
area = os.path.join(marker_dir, "area")
os.makedirs(area, exist_ok=True)
with open(os.path.join(area, "existing.txt"), "w") as f:
    f.write("original\n")

os.system("touch %s/main_ran" % marker_dir)
if scenario == "benign":
    plugin.read_only(area)
    cache.store(area)
    # The application's own writes are not the plugin's.
    with open(os.path.join(marker_dir, "app_wrote"), "w") as f:
        f.write("ok\n")
    open(os.path.join(marker_dir, "benign_ran"), "w").close()
elif scenario == "callback_write":
    plugin.callback_write(area, lambda f: f())
    open(os.path.join(marker_dir, "escaped_" + scenario), "w").close()
else:
    getattr(plugin, scenario)(area)
    open(os.path.join(marker_dir, "escaped_" + scenario), "w").close()
