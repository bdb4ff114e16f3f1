import plugin  # noqa: F401
