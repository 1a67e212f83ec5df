"""Frames to files: resizing, captions, animated GIF (Pillow) and H.264 MP4 (imageio-ffmpeg)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

Frame = np.ndarray
"""An image, ``(height, width, 3)`` uint8."""

VIDEO_SUFFIXES = (".gif", ".mp4")


def resize(frame: Frame, width: int | None, height: int | None) -> Frame:
    """``frame`` at ``width`` x ``height``; a missing one keeps the aspect ratio."""
    h, w = frame.shape[:2]
    if width is None and height is None:
        return frame
    width = width or max(1, round(w * height / h))
    height = height or max(1, round(h * width / w))
    if (width, height) == (w, h):
        return frame
    from PIL import Image

    return np.asarray(Image.fromarray(frame).resize((width, height), Image.BILINEAR))


def add_caption(frame: Frame, step: int, total: float) -> Frame:
    from PIL import Image, ImageDraw, ImageFont

    image = Image.fromarray(frame)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=max(10, frame.shape[0] // 24))
    text = f"step {step}   return {total:.1f}"
    _, _, right, bottom = draw.textbbox((4, 3), text, font=font)
    draw.rectangle((0, 0, right + 4, bottom + 4), fill=(0, 0, 0))
    draw.text((4, 3), text, fill=(255, 255, 255), font=font)
    return np.asarray(image)


def video_target(path: str | os.PathLike, overwrite: bool) -> Path:
    """``path`` as a Path, refused unless it is a ``.gif``/``.mp4`` that may be written."""
    path = Path(path)
    if path.suffix.lower() not in VIDEO_SUFFIXES:
        raise ValueError(f"Write rollouts to a .gif or .mp4 file, not {path.name!r}.")
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True (CLI: --force) to replace it.")
    return path


def save_video(
    frames: list[Frame], path: str | os.PathLike, fps: float, *, overwrite: bool = False
) -> Path:
    """Writes frames as an animated GIF (Pillow) or an H.264 MP4 (imageio-ffmpeg).

    Args:
        frames: ``(height, width, 3)`` uint8 images of one size.
        path: a ``.gif`` or ``.mp4`` file.
        fps: frames per second (a GIF stores whole hundredths of a second per frame).
        overwrite: replace an existing file (otherwise it is refused).

    Returns:
        The path written.

    Raises:
        ValueError: for an unknown suffix, no frames or frames of different sizes.
        FileExistsError: if ``path`` exists and ``overwrite`` is False.
    """
    path = video_target(path, overwrite)
    if not frames:
        raise ValueError("No frames to write.")
    if len({f.shape for f in frames}) != 1:
        raise ValueError("All frames must have the same size.")
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".gif":
        _save_gif(frames, path, fps)
    else:
        _save_mp4(frames, path, fps)
    return path


def _save_gif(frames: list[Frame], path: Path, fps: float) -> None:
    from PIL import Image

    images = [Image.fromarray(f) for f in frames]
    duration = max(20, int(round(100.0 / fps)) * 10)
    images[0].save(path, save_all=True, append_images=images[1:], duration=duration, loop=0)


def _save_mp4(frames: list[Frame], path: Path, fps: float) -> None:
    try:
        import imageio_ffmpeg
    except ImportError as err:
        raise ValueError(
            'MP4 needs imageio-ffmpeg: pip install "evotrain[video]" (or write a .gif).'
        ) from err
    height, width = frames[0].shape[:2]
    if width % 2 or height % 2:
        raise ValueError(f"MP4 needs an even width and height, got {width}x{height}.")
    writer = imageio_ffmpeg.write_frames(
        str(path), (width, height), fps=fps, codec="libx264", macro_block_size=1, quality=7
    )
    writer.send(None)
    for frame in frames:
        writer.send(np.ascontiguousarray(frame))
    writer.close()


__all__ = ["VIDEO_SUFFIXES", "Frame", "add_caption", "resize", "save_video", "video_target"]
