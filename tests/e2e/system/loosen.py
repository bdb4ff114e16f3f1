# A second registration may tighten a module's confinement, never loosen it.
import os
import sys

from secimport import SecureImportError, secure_import

markers = sys.argv[1]
secure_import("shellmod", allow_shell=False)
try:
    secure_import("shellmod", allow_shell=True)
    print("loosened")
except SecureImportError as e:
    print("refused:", e)
secure_import("shellmod", allow_shell=False, allow_networking=False)
print("tightened")
import shellmod  # noqa: E402

shellmod.spawn(markers)
