import subprocess
import sys


def launch(script, marker_dir):
    return subprocess.call([sys.executable, script, marker_dir])
