# A decoy: PYTHONPATH puts lib/ before decoy/, so lib/example.py is imported.
raise SystemExit("decoy imported")
