import numpy as np
from skimage.restoration import denoise_tv_chambolle


def denoise_stack(images, weight):
    """Min-max normalizes the stack, denoises each image, normalizes the result (Compox's template)."""
    images = images.astype(np.float32)
    images = (images - images.min()) / max(float(images.max() - images.min()), 1e-12)
    out = np.stack([denoise_tv_chambolle(img, weight=weight) for img in images]).astype(np.float32)
    return (out - out.min()) / max(float(out.max() - out.min()), 1e-12)
