"""Benchmarks (python -m bench) and the virtual-audio tooling the tests share with them."""
