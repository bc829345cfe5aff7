#!/usr/bin/env python3
"""Reference for PilBilinearResizerTest: Pillow's Image.resize(size, BILINEAR) on a seeded random
RGB image. Run with any Pillow >= 5 (Resample.c has been stable since): python3 make_pil_bilinear.py"""
import numpy as np
from PIL import Image

rng = np.random.default_rng(20240611)
src = rng.integers(0, 256, size=(61, 97, 3), dtype=np.uint8)
# smooth the noise a little in one corner so both flat and busy regions are covered
src[:20, :30] = np.linspace(0, 255, 30, dtype=np.uint8)[None, :, None]
img = Image.fromarray(src, "RGB")
arrays = {"src": src}
for w, h in [(32, 32), (50, 61), (97, 20), (200, 128), (13, 7), (96, 64), (97, 61), (1, 1), (300, 5)]:
    arrays[f"out_{w}x{h}"] = np.asarray(img.resize((w, h), Image.BILINEAR))
np.savez_compressed("pil-bilinear.npz", **arrays)
print("Pillow", __import__("PIL").__version__, sorted(arrays))
