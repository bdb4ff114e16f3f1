# Imported for the first time by the confined plugin: no byte-code cache yet.
VALUE = 42
