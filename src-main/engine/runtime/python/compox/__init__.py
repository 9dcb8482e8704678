"""Compox Desktop's Python shim: `compox.algorithm_utils` as Compox algorithms import it."""
