"""A module we do not trust: it runs a shell command when imported."""
import os

print("example: importing; trying os.system('touch /tmp/secimport-quickstart-pwned')")
os.system("touch /tmp/secimport-quickstart-pwned")
print("example: the command ran (this line should never print)")
