# Confined code trying to change policy through the registration path.
from secimport import SecureImportError, secure_import


def unconfine_something():
    try:
        secure_import("json", allow_shell=True)
        return "registered"
    except SecureImportError as e:
        return "refused: %s" % e
