# With no system loaded, secure_import raises and the module is not imported.
import sys

from secimport import SecureImportError, secure_import

try:
    secure_import("example", allow_shell=False)
    print("imported")
except SecureImportError as e:
    print("raised:", e)
print("in sys.modules:", "example" in sys.modules)
