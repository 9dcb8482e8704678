import numpy as np


def box_blur(image, size):
    """Mean over a size×size window, edges replicated."""
    pad = size // 2
    padded = np.pad(image.astype(np.float64), pad, mode="edge")
    out = np.zeros(image.shape, dtype=np.float64)
    for dy in range(size):
        for dx in range(size):
            out += padded[dy : dy + image.shape[0], dx : dx + image.shape[1]]
    return out / (size * size)
