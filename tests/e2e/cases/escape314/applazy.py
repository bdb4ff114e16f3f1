# The application's module using 3.15's lazy import (PEP 810): apphelper is
# loaded when first used, and the confined plugin is the first to use it.
import os
import sys

lazy import apphelper

import plugin


def main(marker_dir):
    plugin.touch_lazy(sys.modules[__name__])
    apphelper.spawn(marker_dir)
