"""The Python side of pyproof: one module per experiment, importable and runnable alone.

Each ``pyproof.<id>`` module holds the real Python code an experiment runs, embedded in the
Rust harness or on its own (``python -m pyproof <id>``, the one worker entry point, or
``python -m pyproof.<id>``); ``python/tests`` runs them under pytest.
"""
