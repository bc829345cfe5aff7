#!/usr/bin/env python3
"""Reference for NpyTest: one array per supported dtype, saved by NumPy both stored (np.savez) and
deflated (np.savez_compressed). Run: python3 make_npy_samples.py"""
import numpy as np

arrays = {
    "f4": np.array([[1.5, -2.25, 3e-8], [np.inf, -0.0, 7.0]], dtype="<f4"),
    "f8": np.array([np.pi, -1e300, 0.1], dtype="<f8"),
    "i8": np.array([[1, -2], [2**62, -(2**63)]], dtype="<i8"),
    "i4": np.array([0, -1, 2**31 - 1, -(2**31)], dtype="<i4"),
    "u1": np.arange(8, dtype=np.uint8).reshape(2, 2, 2) * 31,
    "b1": np.array([True, False, True]),
    "scalar": np.array(4.0, dtype="<f4"),
    "empty": np.zeros((0, 3), dtype="<i8"),
}
np.savez("samples.npz", **arrays)
np.savez_compressed("samples-compressed.npz", **arrays)
