"""The Kaplan-Meier plot of a parameter as PNG bytes, for a `data:` URI: data.kmplot draws it
(the same plot as `summary --plot`) into a temporary folder. PNG rather than SVG: matplotlib's
PNG has the same bytes for the same data, and SVG ids are random unless salted."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


def km_png(adtte: pd.DataFrame, code: str, by: str | None, competing: set[int] | None) -> bytes:
    from ..data.kmplot import plot_km

    with tempfile.TemporaryDirectory(prefix="endpointdsl-report-") as folder:
        target = Path(folder) / f"{code}.png"
        plot_km(adtte, code, target, by, competing)
        return target.read_bytes()
