import os

# The program itself may use the shell...
os.system("echo 'app: my own os.system works'")

# ...but the example module may not (see policy.yaml).
import example  # noqa: E402,F401

print("app: done (not reached: example was killed)")
