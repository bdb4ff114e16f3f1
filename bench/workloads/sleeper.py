"""A confined program that idles: keeps a `secimport-bpf run` session active.
Prints "ready" once running (the engine is attached by then)."""
import time

import callmod  # noqa: F401  (the confined module is loaded, as in a real program)

print("ready", flush=True)
time.sleep(60)  # ended by the benchmark much sooner
