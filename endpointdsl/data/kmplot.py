"""The Kaplan-Meier plot of one parameter: a step line per group, censoring marks, and the
numbers at risk beneath; PNG or SVG by the file's extension. matplotlib is imported here
only (its Agg backend: no display needed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .errors import DataError
from .km import _avalu, _text, by_groups, fit_curve, require

FORMATS = {".png": "png", ".svg": "svg"}


def plot_paths(target: Path, codes: list[str]) -> dict[str, Path]:
    """The file of each parameter: `target` for a single one, else TARGET_PARAMCD.EXT."""
    if target.suffix.lower() not in FORMATS:
        raise DataError(f"--plot {target}: the plot is written as .png or .svg")
    if len(codes) == 1:
        return {codes[0]: target}
    return {code: target.with_name(f"{target.stem}_{code}{target.suffix}") for code in codes}


def _ticks(last: float) -> np.ndarray:
    """About six round ticks from 0 to `last`."""
    if last <= 0:
        return np.array([0.0])
    raw = last / 6
    magnitude = 10 ** np.floor(np.log10(raw))
    step = min((m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw), default=raw)
    return np.arange(0, last * (1 + 1e-9), step)  # none after the last time: nobody is at risk there


def plot_km(
    adtte: pd.DataFrame, code: str, target: Path, by: str | None = None, competing: set[int] | None = None
) -> None:
    """Write the plot of parameter `code`: survival (or, with competing CNSR codes, the
    cumulative incidence of the event of interest) against AVAL."""
    require("matplotlib")
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    records = adtte[adtte.PARAMCD.astype(str) == code]
    groups = [("All subjects", records)]
    if by is not None:
        groups = by_groups(records, by)
    competing = competing or set()
    last = float(records.AVAL.max()) if len(records) else 0.0
    ticks = _ticks(last)
    fig, (ax, table) = plt.subplots(
        2, 1, figsize=(8, 5.5 + 0.25 * len(groups)), gridspec_kw={"height_ratios": [4, 0.6 + 0.3 * len(groups)]},
        sharex=True,
    )  # fmt: skip
    try:
        for i, (name, part) in enumerate(groups):
            time = part.AVAL.astype(float).to_numpy()
            cnsr = part.CNSR.astype(int).to_numpy()
            event, other = cnsr == 0, np.isin(cnsr, list(competing))
            curve = fit_curve(time, event | other, event)
            xs = np.concatenate([[0.0], curve.times])
            if competing:
                lag = np.concatenate([[1.0], curve.surv[:-1]])
                ys = np.concatenate([[0.0], np.cumsum(curve.events / curve.at_risk * lag)])
            else:
                ys = np.concatenate([[1.0], curve.surv])
            color = f"C{i}"
            end = max(float(time.max()) if len(time) else 0.0, xs[-1])
            ax.step(
                np.append(xs, end),
                np.append(ys, ys[-1]),
                where="post",
                color=color,
                label=f"{name} (N={len(part)})",
            )
            censored = ~(event | other)
            at = time[censored]
            heights = ys[np.searchsorted(xs, at, side="right") - 1] if len(at) else at
            ax.plot(at, heights, "|", color=color, markersize=8)
            at_risk = [int((time >= t).sum()) for t in ticks]
            y = len(groups) - 1 - i
            for t, n in zip(ticks, at_risk, strict=True):
                table.text(t, y, str(n), ha="center", va="center", color=color, fontsize=8)
            table.text(-0.02, y, name, ha="right", va="center", color=color, fontsize=8,
                       transform=table.get_yaxis_transform())  # fmt: skip
        param = _text(records.PARAM.iloc[0]) if "PARAM" in records.columns and len(records) else code
        ax.set_title(f"{code}: {param}")
        ax.set_ylabel("Cumulative incidence" if competing else "Survival probability")
        ax.set_ylim(-0.02, 1.02)
        ax.grid(alpha=0.3)
        ax.legend(
            loc="lower left" if not competing else "upper left",
            fontsize=8,
            title="| censored",
            title_fontsize=8,
        )
        table.set_ylim(-0.7, len(groups) - 0.3)
        table.set_yticks([])
        table.set_title("Number at risk", fontsize=8, loc="left")
        for side in ("top", "right", "left"):
            table.spines[side].set_visible(False)
        table.set_xticks(ticks)
        table.set_xlim(-0.02 * max(last, 1), max(last, 1) * 1.02)
        table.set_xlabel(f"AVAL ({_avalu(records)})")
        fig.tight_layout()
        fig.savefig(target, format=FORMATS[target.suffix.lower()], metadata=_metadata(target))
    finally:
        plt.close(fig)


def _metadata(target: Path) -> dict:
    """No creation date in the file, so that the same data give the same bytes."""
    return {"Date": None} if target.suffix.lower() == ".svg" else {"Software": "endpointdsl"}
