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
elif scenario.startswith("fk_log_"):
    # The application logs to a file; the plugin only calls logging.
    import logging
    import logging.handlers

    log = os.path.join(area, "app.log")
    if scenario == "fk_log_delay":
        handler = logging.FileHandler(log, delay=True)
    else:
        handler = logging.handlers.RotatingFileHandler(log, maxBytes=200, backupCount=1)
    logging.getLogger().addHandler(handler)
    if scenario == "fk_log_rotate":
        # Close to the limit: the next line rolls the log over.
        for _ in range(3):
            logging.getLogger("app").warning("the application's own line of log")
    getattr(plugin, scenario)(area)
    handler.close()
    open(os.path.join(marker_dir, "escaped_" + scenario), "w").close()
else:
    # The application's own open log (red team: the plugin hunts for it).
    applog = open(os.path.join(area, "app.log"), "w")
    applog.write("application log\n")
    applog.flush()
    appdat = open(os.path.join(area, "app.dat"), "w+b")  # read-write, as a database's
    appdat.write(b"application data\n")
    appdat.flush()
    r = getattr(plugin, scenario)(area)
    # A generator the plugin returned is driven by the application; an
    # object it returned dies here, in the application's frame.
    if hasattr(r, "__next__"):
        for _ in r:
            pass
    del r
    applog.close()
    appdat.close()
    open(os.path.join(marker_dir, "escaped_" + scenario), "w").close()
