"""Benchmark harness: ``make bench`` (national size) or ``make bench SIZE=small``.

See bench/run.py for the phases and bench/README.md for how to read the results.
"""
