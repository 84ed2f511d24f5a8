"""What the PNG flowcharts share: sizes, colours, a placed box, wrapped text, a blank drawing
in inches, and the PNG bytes of a drawing (matplotlib's Agg renderer: no display, no network)."""
from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass

# Sizes in inches: the axes are laid out 1:1 on the figure, so data units are inches.
QUESTION_W = 3.4
OUTCOME_W = 2.2
OUTCOME_H = 0.52
OUTCOME_STEP = 0.66  # vertical distance between the outcome boxes beside one question
SIDE_GAP = 1.1  # between a question box and its outcome boxes (room for the edge label)
COLUMN_W = QUESTION_W + SIDE_GAP + OUTCOME_W + 0.7
MARGIN = 0.4
TITLE_H = 1.25
LEGEND_H = 0.95
MIN_WIDTH = 9.5  # room for the title, the key and the legend on a one-column pack
DPI = 110

QUESTION_FILL = "#eef2f7"
EDGE_COLOUR = "#34495e"
OUTCOME_COLOURS = {
    "urgent": "#f5c6cb",
    "share": "#c3e6cb",
    "share_without_consent": "#bee5eb",
    "do_not_share": "#d6d8db",
    "seek_advice": "#ffeeba",
}
FALLBACK_COLOUR = "#e2e3e5"


@dataclass
class _Placed:
    x: float  # centre
    y: float  # centre
    w: float
    h: float

    @property
    def top(self) -> float:
        return self.y + self.h / 2

    @property
    def bottom(self) -> float:
        return self.y - self.h / 2

    @property
    def left(self) -> float:
        return self.x - self.w / 2

    @property
    def right(self) -> float:
        return self.x + self.w / 2


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width=width)) or text


def _canvas(width: float, height: float, dpi: float | None = None):
    """A blank figure of width x height inches whose data units are inches, and its axes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height)) if dpi is None else Figure(figsize=(width, height), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.axis("off")
    return fig, ax


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, facecolor="white", metadata={"Software": None})
    return buffer.getvalue()
