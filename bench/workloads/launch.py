"""Runs a (C) program as this process, under `secimport-bpf run`, which
only starts Python programs.

    launch.py confined PROGRAM ARGS...  exec from the confined module launchmod
    launch.py tracked PROGRAM ARGS...   exec from here: no confined module on
                                        the stack, so the program is covered
                                        by the hooks but confined by nothing
"""
import os
import sys

import launchmod

if sys.argv[1] == "confined":
    launchmod.exec_(sys.argv[2:])
elif sys.argv[1] == "tracked":
    os.execv(sys.argv[2], sys.argv[2:])
sys.exit("launch.py: confined or tracked")
