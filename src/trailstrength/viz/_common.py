"""Small helpers shared by the figure modules (not public API)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.colors import to_rgb

MINUS = "\u2212"


def require(frame: pd.DataFrame, columns, name: str) -> None:
    """Raise a KeyError naming the missing columns and the ones the frame has."""
    missing = [c for c in columns if c not in frame]
    if missing:
        raise KeyError(f"{name} is missing column(s) {missing}; it has {list(frame.columns)}")


def axes(ax):
    """``ax``, or the axes of a new figure when it is None."""
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots()
    return ax


def fmt(value: float, sign: bool = False, digits: int = 2) -> str:
    """A number with ``digits`` significant digits and a typographic minus."""
    text = f"{value:+.{digits}g}" if sign else f"{value:.{digits}g}"
    return text.replace("-", MINUS)


def bool_column(frame: pd.DataFrame, column: str, *, default: bool) -> np.ndarray:
    if column not in frame:
        return np.full(len(frame), default)
    return frame[column].astype(object).where(frame[column].notna(), default).astype(bool).to_numpy()


def lighten(color, amount: float) -> tuple[float, float, float]:
    """Mix ``color`` with white; ``amount`` is the share of white."""
    return tuple(1 - (1 - c) * (1 - amount) for c in to_rgb(color))


def no_data(ax, message: str):
    """Write ``message`` in the middle of an empty axes (a figure with nothing to show says so)."""
    ax.text(
        0.5,
        0.5,
        message,
        transform=ax.transAxes,
        ha="center",
        va="center",
        color="#555555",
        fontsize="small",
        wrap=True,
        gid="no_data",
    )
    return ax
