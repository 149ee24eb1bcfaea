"""Shared fixtures of the brain tests: small atlases and a way to look at figures."""

import numpy as np
import pytest

pytest.importorskip("nilearn")
nibabel = pytest.importorskip("nibabel")
matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


@pytest.fixture(scope="session")
def three_spheres():
    """Three 8 mm spheres on the 2 mm MNI grid: two motor regions and V1."""
    from ica_sklearn.brain import atlas_from_coords

    return atlas_from_coords(
        [[-40, -20, 50], [40, -20, 50], [0, -80, 10]],
        radius=8,
        region_ids=[5, 9, 12],
        names=["left M1", "right M1", "V1"],
        networks=["motor", "motor", "visual"],
    )


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
