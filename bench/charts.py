"""Draws bench/run's measurements as SVG bar charts (matplotlib, from bench/charts-requirements.txt).

  <charts venv>/bin/python bench/charts.py DATA.json OUTDIR

bench/run writes each chart's data beside it (bench/charts/NAME.json): redraw one with
`bench/charts.py bench/charts/NAME.json bench/charts`.

DATA.json: {"charts": [{"file": "startup.svg", "title": ..., "unit": "ms", "log": false,
"groups": [{"label": "hello", "bars": [{"label": "rules_pystatic", "value": 7.8,
"stack": [["native", 6.9], ["blob", 0.9]]}, ...]}]}]}; optional "reference": a value drawn as a dashed
line, "one_colour": every bar in rules_pystatic's colour. Only numbers bench/run measured in the
same run go in; a chart with no bars is not drawn. The SVGs are deterministic (no date, fixed
hash salt), so an unchanged result leaves the files unchanged.
"""

import json
import pathlib
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

# One colour per bar label across charts: rules_pystatic always looks the same.
PALETTE = ["#1f6feb", "#d97706", "#7c3aed", "#059669", "#dc2626", "#6b7280", "#0891b2", "#be185d"]
OURS = "#1f6feb"
PARTS = ["#1f6feb", "#93c5fd", "#d97706", "#fcd34d"]


def draw(chart, path):
    groups = [g for g in chart["groups"] if g["bars"]]
    if not groups:
        return False
    rows = [(g["label"], bar) for g in groups for bar in g["bars"]]
    labels = []
    for _, bar in rows:
        if bar["label"] not in labels:
            labels.append(bar["label"])
    colours = {label: (OURS if label.startswith("rules_pystatic") or chart.get("one_colour") else PALETTE[1 + i % (len(PALETTE) - 1)])
               for i, label in enumerate(labels)}
    height = 1.0 + 0.32 * len(rows) + 0.25 * len(groups)
    fig, ax = plt.subplots(figsize=(8, height))
    y, ticks, names = 0.0, [], []
    peak = max(bar["value"] for _, bar in rows)
    for group in groups:
        for bar in group["bars"]:
            left = 0.0
            stack = bar.get("stack") or [[None, bar["value"]]]
            for i, (part, value) in enumerate(stack):
                # A stacked bar's parts have one colour each across bars (the legend names them).
                colour = colours[bar["label"]] if part is None else PARTS[i % len(PARTS)]
                ax.barh(y, value, left=left, color=colour, height=0.8,
                        label=part if part and part not in ax.get_legend_handles_labels()[1] else None)
                left += value
            ax.text(bar["value"] * (1.02 if not chart.get("log") else 1.05), y, bar.get("text", f"{bar['value']:.1f}"),
                    va="center", fontsize=8)
            ticks.append(y)
            names.append(f"{group['label']}: {bar['label']}" if len(groups) > 1 else bar["label"])
            y += 1
        y += 0.6
    ax.set_yticks(ticks, names, fontsize=8)
    ax.invert_yaxis()
    if chart.get("log"):
        ax.set_xscale("log")
        ax.set_xlim(right=peak * 3)
    else:
        ax.set_xlim(0, peak * 1.18)
    if "reference" in chart:
        # E.g. 1.00 on a chart of ratios: left of it is faster.
        ax.axvline(chart["reference"], color="#6b7280", linestyle="--", linewidth=0.8)
    ax.set_xlabel(chart["unit"], fontsize=8)
    ax.set_title(chart["title"], fontsize=10)
    ax.tick_params(axis="x", labelsize=8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if ax.get_legend_handles_labels()[1]:
        ax.legend(fontsize=8, loc="best", frameon=False)
    fig.tight_layout()
    fig.savefig(path, format="svg", metadata={"Date": None}, bbox_inches="tight")
    plt.close(fig)
    return True


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    data = json.loads(pathlib.Path(argv[0]).read_text())
    out = pathlib.Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    plt.rcParams["svg.hashsalt"] = "rules_pystatic"
    plt.rcParams["svg.fonttype"] = "none"  # text stays text: smaller files, searchable
    for chart in data["charts"]:
        if draw(chart, out / chart["file"]):
            print(chart["file"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
