"""Benchmarks for canishare (not part of the test suite). Run them with `bench/run`."""
