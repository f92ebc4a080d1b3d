"""The Matrix adapter (matrix-nio): ``adapters.matrix`` in the community file, see README.md."""

from .adapter import MatrixAdapter

__all__ = ["MatrixAdapter"]
