import numpy as np


def scale(images, gain, offset):
    return images.astype(np.float32) * gain + offset
