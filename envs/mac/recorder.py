"""Write an episode's frames to a GIF or an MP4 with imageio (MP4 needs the `video` extra)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import imageio.v3 as imageio
import numpy as np

SUFFIXES = (".gif", ".mp4")


def upscale(frame: np.ndarray, factor: int) -> np.ndarray:
    """Nearest-neighbour upscaling, so 64-pixel views stay crisp when watched."""
    return np.repeat(np.repeat(frame, factor, axis=0), factor, axis=1)


def write(frames: Sequence[np.ndarray], path: str | Path, fps: int = 10, scale: int = 3) -> Path:
    """Write `frames` (HxWx3 uint8) to `path`; the suffix picks the format."""
    path = Path(path)
    if path.suffix.lower() not in SUFFIXES:
        raise ValueError(
            f"invalid video path {str(path)!r}; allowed suffixes: {', '.join(SUFFIXES)}"
        )
    if not frames:
        raise ValueError("no frames to write: the episode was not recorded")
    path.parent.mkdir(parents=True, exist_ok=True)
    big = [upscale(np.asarray(f, np.uint8), scale) for f in frames]
    if path.suffix.lower() == ".gif":
        imageio.imwrite(path, np.stack(big), duration=int(1000 / fps), loop=0)
    else:
        try:
            imageio.imwrite(path, np.stack(big), fps=fps, codec="libx264")
        except (ImportError, ValueError, RuntimeError) as error:
            raise ValueError(
                f"cannot write MP4 ({error}); install the video extra or use a .gif path"
            ) from None
    return path
