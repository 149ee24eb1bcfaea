"""Looking at drawn figures: pixels, and counts of our positive and negative colours."""

import numpy as np


def rendered_pixels(figure):
    """RGB pixels of a drawn figure, as an (h, w, 3) int array."""
    figure.canvas.draw()
    return np.asarray(figure.canvas.buffer_rgba())[..., :3].astype(int)


def count_reddish(pixels):
    """Pixels whose red channel clearly beats green and blue (our positive colours)."""
    red, green, blue = pixels[..., 0], pixels[..., 1], pixels[..., 2]
    return int(((red - green > 60) & (red - blue > 40)).sum())


def count_bluish(pixels):
    """Pixels whose blue channel clearly beats red (our negative colours)."""
    red, green, blue = pixels[..., 0], pixels[..., 1], pixels[..., 2]
    return int(((blue - red > 60) & (blue - green > 20)).sum())


def figure_of(display):
    """The matplotlib figure of a nilearn display (or the figure itself)."""
    return display.frame_axes.figure if hasattr(display, "frame_axes") else display
