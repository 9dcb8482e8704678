import numpy as np
from compox.algorithm_utils.Image2AlignmentRunner import Image2AlignmentRunner


def centre(image):
    weights = image.astype(np.float64)
    ys, xs = np.indices(image.shape)
    return (ys * weights).sum() / weights.sum(), (xs * weights).sum() / weights.sum()


class Runner(Image2AlignmentRunner):
    def inference(self, data, args=None):
        cy, cx = centre(data[0])
        matrices = []
        for image in data[1:]:
            y, x = centre(image)
            m = np.eye(3)
            m[0, 2], m[1, 2] = cx - x, cy - y
            matrices.append(m)
        return matrices
