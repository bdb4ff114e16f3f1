# The application's own module; the confined plugin happens to import it
# first. Its code must not become the plugin's.
import os
import subprocess


def spawn(marker_dir):
    os.system("touch %s/helper_ran" % marker_dir)
    subprocess.run(["touch", "%s/helper_subprocess_ran" % marker_dir], check=True)


def spawn_stateless(marker_dir):
    # Stateless (builtins only): shared between interpreters by marshal.
    __import__("os").system("touch %s/app_xi_ran" % marker_dir)
