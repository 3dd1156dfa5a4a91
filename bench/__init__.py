"""Benchmarks of the pages people use most, run by `make bench` (see docs/performance.md).

Not tests: nothing here asserts a figure. `make bench-smoke` only checks the harness runs.
"""
