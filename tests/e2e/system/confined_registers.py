from secimport import secure_import

evil = secure_import("evil", allow_shell=False, allow_networking=True)
print(evil.unconfine_something())
secure_import("json", allow_shell=False)  # main may, afterwards
print("main registered")
