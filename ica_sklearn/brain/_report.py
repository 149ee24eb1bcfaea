"""An HTML report of one saliency analysis: figures, top regions, statistics, caveats."""

import base64
import html
import io

import numpy as np
import pandas as pd

from ._brain_plots import plot_glass_brain_windows, plot_saliency_stat_map
from ._diagnostics import rank_one_share
from ._heatmap import plot_region_time_heatmap
from ._interactive import view_saliency_markers
from ._plot_utils import _pyplot, _region_values
from ._time import aggregate_time_windows, window_labels

__all__ = ["SaliencyReport", "saliency_report"]


class SaliencyReport:
    """A self-contained HTML page (figures embedded), shown inline in notebooks.

    Parameters
    ----------
    body : str
        The HTML body.
    title : str
        Page title.
    """

    def __init__(self, body, title):
        self.body = body
        self.title = title

    def get_standalone(self):
        """The whole page as a string."""
        return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>"
                f"{html.escape(self.title)}</title><style>{_STYLE}</style></head>"
                f"<body>{self.body}</body></html>")

    def save_as_html(self, path):
        """Write the page to ``path``."""
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(self.get_standalone())

    def _repr_html_(self):
        return self.body


_STYLE = ("body{font-family:sans-serif;max-width:1000px;margin:auto}"
          "table{border-collapse:collapse}td,th{padding:2px 8px;border-bottom:1px solid #ddd}"
          ".warning{background:#fff3cd;padding:8px}img{max-width:100%}")


def _figure_html(figure):
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    _pyplot().close(figure)
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f"<img src='data:image/png;base64,{encoded}'/>"


def _section(title, content):
    return f"<h2>{html.escape(title)}</h2>{content}"


def saliency_report(saliency, atlas, *, region_ids=None, mask=None, tr=None, n_windows=4,
                    scores=None, group_result=None, n_top=10, title="Saliency report"):
    """One analysis on one page: what the model looked at, where and when, and how sure.

    Parameters
    ----------
    saliency : array-like of shape (n_runs, n_timesteps, n_regions) or (n_timesteps, n_regions)
        Saliency maps (e.g. of the test runs of one task), or their mean.
    atlas : Atlas
        Regions of the columns.
    region_ids : array-like of int, optional
        Region id of each column; default the atlas order.
    mask : array-like of bool, shape (n_timesteps, n_regions), optional
        Known truth (simulations), outlined on the heatmap.
    tr : float, optional
        Repetition time: times and windows in seconds.
    n_windows : int, default=4
        Windows of the glass brains.
    scores : dict, optional
        Model scores to show first (e.g. ``{"test accuracy": 0.93}``); a score
        named like an accuracy below 0.6 raises a warning in the page:
        saliency of a model that did not learn explains nothing.
    group_result : GroupSaliencyResult, optional
        Group statistics; their significant cells are tabled and mapped.
    n_top : int, default=10
        Rows of the top-regions table.
    title : str, default="Saliency report"
        Page title.

    Returns
    -------
    report : SaliencyReport
        ``save_as_html(path)``; shows itself in a notebook.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import numpy as np
    >>> from ica_sklearn.brain import atlas_from_coords, saliency_report
    >>> atlas = atlas_from_coords([[-40, -20, 50], [40, -20, 50]], radius=8,
    ...                           names=["left M1", "right M1"])
    >>> report = saliency_report(np.random.default_rng(0).random((8, 2)), atlas, tr=2.0,
    ...                          scores={"test accuracy": 0.95}, n_windows=2)
    >>> "right M1" in report.get_standalone()
    True
    """
    maps = np.asarray(saliency, dtype=float)
    mean_map = np.nanmean(maps, axis=0) if maps.ndim == 3 else maps
    mean_map = _region_values(mean_map, atlas, region_ids, ndim=2)
    parts = [f"<h1>{html.escape(title)}</h1>", _overview(maps, atlas, tr)]
    if scores:
        parts.append(_section("Model", _scores_html(scores)))
    share = rank_one_share(mean_map)
    parts.append(_section("What this map can tell", _caveats_html(share, tr)))
    parts.append(_section("Region x time", _figure_html(plot_region_time_heatmap(
        mean_map, atlas, mask=mask, tr=tr, title="mean saliency"))))
    windows, bounds = aggregate_time_windows(mean_map, n_windows, return_bounds=True, tr=tr)
    labels = window_labels(bounds, unit="s" if tr is not None else "scans")
    parts.append(_section("Glass brains by time window", _figure_html(plot_glass_brain_windows(
        windows, atlas, window_labels=labels))) if atlas.kind != "surface" else "")
    summed = mean_map.sum(axis=0)
    if atlas.kind != "surface":
        display = plot_saliency_stat_map(summed, atlas, title="summed over time")
        parts.append(_section("Summed over time", _figure_html(display.frame_axes.figure)))
    parts.append(_section("Top regions", _top_regions(summed, windows, labels, atlas, n_top)))
    view = view_saliency_markers(summed, atlas, top_fraction=0.2)
    parts.append(_section("Interactive", "<iframe style='width:100%;height:420px;border:0' "
                          f"srcdoc=\"{html.escape(view.get_standalone(), quote=True)}\">"
                          "</iframe>"))
    if group_result is not None:
        parts.append(_section("Group statistics", _group_html(group_result, atlas)))
    return SaliencyReport("".join(parts), title)


def _overview(maps, atlas, tr):
    runs = f"{maps.shape[0]} runs, " if maps.ndim == 3 else ""
    duration = (f"{maps.shape[-2]} scans ({maps.shape[-2] * tr:g} s, TR {tr:g} s)" if tr
                else f"{maps.shape[-2]} scans")
    return (f"<p>{runs}{duration}; atlas <b>{html.escape(atlas.name)}</b> "
            f"({atlas.kind}, {atlas.n_regions} regions).</p>")


def _scores_html(scores):
    rows = "".join(f"<tr><td>{html.escape(str(k))}</td><td>{v:.3f}</td></tr>"
                   for k, v in scores.items())
    weak = [k for k, v in scores.items() if "acc" in str(k).lower() and v < 0.6]
    warning = ("<p class='warning'>The model is near chance level: its saliency does not "
               "say what drives a prediction.</p>" if weak else "")
    return f"<table>{rows}</table>{warning}"


def _caveats_html(share, tr):
    return (
        f"<p>{share:.0%} of this map's sum of squares is one spatial pattern times one time "
        "course (its rank-1 part): where the share is high, the map mostly says <i>when</i> "
        "the model looked, the same for all regions, and ranks regions by one pattern.</p>"
        "<p>Saliency is about the model's input: region signals are haemodynamic, so evidence "
        "of a neural event appears 4-6 s after it"
        + (f" ({4 / tr:.1f}-{6 / tr:.1f} scans at this TR)" if tr else "")
        + ". A large gradient says the output is sensitive there, not that the region "
        "was active; compare with a null model before reading a map.</p>")


def _top_regions(summed, windows, labels, atlas, n_top):
    order = np.argsort(-np.abs(summed))[:n_top]
    frame = pd.DataFrame({
        "region": atlas.names[order], "network": atlas.networks[order],
        "id": atlas.region_ids[order], "summed saliency": summed[order],
        "strongest window": np.asarray(labels)[np.abs(windows[:, order]).argmax(axis=0)],
    })
    return frame.to_html(index=False, float_format="%.3g")


def _group_html(result, atlas):
    table = result.to_frame()
    if result.region_ids is not None and len(table):
        names = dict(zip(atlas.region_ids.tolist(), atlas.names.tolist()))
        table.insert(2, "region", [names.get(int(i), "") for i in table["region_id"]])
    summary = f"<p>{html.escape(repr(result))}</p>"
    if not len(table):
        return summary + "<p>No cell is significant.</p>"
    heatmap = plot_region_time_heatmap(result.thresholded_map(), atlas,
                                       region_ids=result.region_ids,
                                       colorbar_label="statistic (significant cells)",
                                       title="significant cells")
    return (summary + table.head(30).to_html(index=False, float_format="%.3g")
            + _figure_html(heatmap))
