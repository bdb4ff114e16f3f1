# The trusted application lets a confined module use ctypes one way; a
# module without allow_ctypes must be killed before the operation runs.
import os
import sys

marker_dir, scenario = sys.argv[1], sys.argv[2]
os.system("touch %s/main_ran" % marker_dir)
if scenario == "app_imported":
    import ctypes  # the application's, before the plugin runs

    ctypes.memmove(ctypes.create_string_buffer(4), b"abc", 3)  # main may
if scenario == "numpy":
    import npuser

    npuser.compute(marker_dir)
elif scenario == "libffi_copy":
    import ffiplugin

    ffiplugin.ct_libffi_copy(marker_dir)
elif scenario.startswith("np_"):
    import npattack

    getattr(npattack, scenario)(marker_dir)
elif scenario.startswith("f_"):
    if scenario == "f_mp_value":
        # From 3.14, shared ctypes start multiprocessing's resource tracker,
        # a process: the application starts it (the module may not).
        from multiprocessing import resource_tracker

        resource_tracker.ensure_running()
    import benignffi

    getattr(benignffi, "b_" + scenario[2:])(marker_dir)
elif scenario.startswith("b_"):
    import benign

    getattr(benign, scenario)(marker_dir)
elif scenario == "allowed":
    import ctplugin

    ctplugin.use(marker_dir)
else:
    import plugin

    getattr(plugin, "ct_" + scenario)(marker_dir)
print("app finished")
