"""compox.algorithm_utils as Compox provides it: import each runner from its own module, e.g.
`from compox.algorithm_utils.Image2ImageRunner import Image2ImageRunner`."""
from .BaseRunner import BaseRunner
from .Image2AlignmentRunner import Image2AlignmentRunner
from .Image2EmbeddingRunner import Image2EmbeddingRunner
from .Image2ImageRunner import Image2ImageRunner
from .Image2MultiRegionSegmentationRunner import Image2MultiRegionSegmentationRunner
from .Image2SegmentationRunner import Image2SegmentationRunner
from .Segmentation2SegmentationRunner import Segmentation2SegmentationRunner
from . import io_schemas
