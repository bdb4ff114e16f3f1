from secimport import secure_import

# ctypes allowed: its secure_import() call must reach the broker, which refuses
evil = secure_import("evil", allow_shell=False, allow_networking=True, allow_ctypes=True)
print(evil.unconfine_something())
secure_import("json", allow_shell=False)  # main may, afterwards
print("main registered")
