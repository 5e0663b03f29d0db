"""Evaluation and benchmarks: `make eval`, `make bench`, `make reliability` (servers from harness/)."""
