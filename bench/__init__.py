"""Benchmarks and the server harness they share with the fault tests."""
