"""Show an evaluation summary to people: a compact terminal table and an HTML report.

The HTML page is self-contained: styles inline, plots drawn as inline SVG, no
scripts and no links to anything outside the file, so it can be attached to a CI run
or opened offline. Both renderers take the dict that `nudge.evaluate.summarize` builds.
"""

from __future__ import annotations

from html import escape
from typing import Any

from nudge.model import ALL_CATEGORIES

COLOURS = {"cliche": "#c0392b", "wordiness": "#2e86c1", "clarity": "#8e44ad",
           "redundancy": "#27ae60", "all": "#333333"}  # fmt: skip
SIZE, PAD = 320, 40


def _pct(value: float) -> str:
    return f"{100 * value:5.1f}"


def table_rows(summary: dict[str, Any]) -> list[list[str]]:
    """Return the headline table as rows of strings, header first."""
    rows = [["category", "gold", "found", "precision", "recall", "F1", "exact"]]
    for name in (*ALL_CATEGORIES, "all"):
        s = summary["all"] if name == "all" else summary["categories"][name]
        rows.append([name, str(s["gold"]), str(s["findings"]), _pct(s["precision"]),
                     _pct(s["recall"]), _pct(s["f1"]), _pct(s["exact_recall"])])  # fmt: skip
    return rows


def render_table(summary: dict[str, Any]) -> str:
    """Return the compact plain-text report shown in the terminal."""
    counts = summary["dataset_counts"]
    lines = [
        f"{summary['dataset']} · critic {summary['critic']} · {counts['passages']} passages · "
        f"{summary['seconds']:.2f} s"
    ]
    rows = table_rows(summary)
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells))
    neg = summary["negatives"]
    lines.append(
        f"hard negatives flagged: {neg['flagged']}/{neg['total']} ({_pct(neg['fp_rate']).strip()}%)"
    )
    lines += ["exact: exact recall, the share of gold spans found with exactly the right",
              "boundaries (precision, recall and F1 count any overlap as found)"]  # fmt: skip
    lines += ["", *sweep_lines(summary), "", *calibration_lines(summary)]
    usage = summary.get("usage") or {}
    if usage:
        tokens = sum(usage.get("tokens", {}).values())
        lines.append(f"tokens: {tokens:,} in {usage.get('calls', 0)} calls, "
                     f"cost ≈ ${usage.get('cost_usd', 0):.4f}")  # fmt: skip
    return "\n".join(lines)


def _columns(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in rows]


def sweep_lines(summary: dict[str, Any]) -> list[str]:
    """Return the threshold sweep (all categories) as aligned lines, with its heading."""
    rows = [["min conf", "found", "precision", "recall", "F1", "neg flagged"]]
    rows += [[f"{row['threshold']:.2f}", str(row["all"]["findings"]), _pct(row["all"]["precision"]),
              _pct(row["all"]["recall"]), _pct(row["all"]["f1"]), _pct(row["fp_rate"])]
             for row in summary["sweep"]]  # fmt: skip
    return ["threshold sweep (every finding the critic produced, kept at confidence >= min conf):",
            *_columns(rows)]  # fmt: skip


def calibration_lines(summary: dict[str, Any]) -> list[str]:
    """Return the calibration bins as aligned lines, with the expected calibration error."""
    cal = summary["calibration"]
    rows = [["confidence", "found", "mean conf", "precision"]]
    for b in cal["bins"]:
        hi = "]" if b["hi"] >= 1 else ")"
        mean, precision = b["mean_confidence"], b["precision"]
        rows.append([f"[{b['lo']:.1f}, {b['hi']:.1f}{hi}", str(b["count"]),
                     "—" if mean is None else f"{mean:.3f}",
                     "—" if precision is None else f"{precision:.3f}"])  # fmt: skip
    return [f"calibration (expected calibration error {cal['ece']:.3f}; in a well-calibrated",
            "bin, precision equals mean confidence):", *_columns(rows)]  # fmt: skip


def _x(value: float) -> float:
    return PAD + value * SIZE


def _y(value: float) -> float:
    return PAD + (1 - value) * SIZE


def _axes(x_label: str, y_label: str) -> list[str]:
    parts = [f'<rect x="{PAD}" y="{PAD}" width="{SIZE}" height="{SIZE}" fill="none" '
             'stroke="#999"/>']  # fmt: skip
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        parts.append(f'<text x="{_x(tick):.0f}" y="{PAD + SIZE + 14}" font-size="10" '
                     f'text-anchor="middle">{tick:g}</text>')  # fmt: skip
        parts.append(f'<text x="{PAD - 6}" y="{_y(tick) + 3:.0f}" font-size="10" '
                     f'text-anchor="end">{tick:g}</text>')  # fmt: skip
    parts.append(f'<text x="{PAD + SIZE / 2}" y="{PAD + SIZE + 32}" font-size="12" '
                 f'text-anchor="middle">{escape(x_label)}</text>')  # fmt: skip
    middle = PAD + SIZE / 2
    parts.append(f'<text x="12" y="{middle}" font-size="12" text-anchor="middle" '
                 f'transform="rotate(-90 12 {middle})">{escape(y_label)}</text>')  # fmt: skip
    return parts


def _svg(title: str, parts: list[str]) -> str:
    width, height = SIZE + 2 * PAD + 110, SIZE + 2 * PAD + 10
    return (f'<figure><figcaption>{escape(title)}</figcaption>'
            f'<svg width="{width}" height="{height}" '
            f'role="img" aria-label="{escape(title)}">{"".join(parts)}</svg></figure>')  # fmt: skip


def pr_curve_svg(summary: dict[str, Any]) -> str:
    """Return an SVG of precision against recall over the threshold sweep, per category."""
    parts = _axes("recall", "precision")
    for number, name in enumerate((*ALL_CATEGORIES, "all")):
        points = [row["all"] if name == "all" else row["categories"][name]
                  for row in summary["sweep"]]  # fmt: skip
        points = [(p["recall"], p["precision"]) for p in points if p["findings"]]
        colour = COLOURS[name]
        if points:
            path = " ".join(f"{_x(r):.1f},{_y(p):.1f}" for r, p in points)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" '
                         'stroke-width="2"/>')  # fmt: skip
            parts += [f'<circle cx="{_x(r):.1f}" cy="{_y(p):.1f}" r="2.5" fill="{colour}"/>'
                      for r, p in points]  # fmt: skip
        legend_y = PAD + 14 * number + 8
        parts.append(f'<text x="{PAD + SIZE + 12}" y="{legend_y}" font-size="11" '
                     f'fill="{colour}">■ {name}</text>')  # fmt: skip
    return _svg("Precision / recall as the minimum confidence rises (0 to 0.95)", parts)


def calibration_svg(summary: dict[str, Any]) -> str:
    """Return an SVG of observed precision against mean confidence per bin."""
    parts = _axes("mean confidence", "observed precision")
    parts.append(f'<line x1="{_x(0)}" y1="{_y(0)}" x2="{_x(1)}" y2="{_y(1)}" stroke="#bbb" '
                 'stroke-dasharray="4 3"/>')  # fmt: skip
    bins = [b for b in summary["calibration"]["bins"] if b["count"]]
    if bins:
        path = " ".join(f"{_x(b['mean_confidence']):.1f},{_y(b['precision']):.1f}" for b in bins)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#333" stroke-width="2"/>')
        for b in bins:
            parts.append(f'<circle cx="{_x(b["mean_confidence"]):.1f}" '
                         f'cy="{_y(b["precision"]):.1f}" r="4" fill="#333">'
                         f'<title>{b["count"]} findings</title></circle>')  # fmt: skip
    ece = summary["calibration"]["ece"]
    return _svg(f"Calibration (expected calibration error {ece:.3f})", parts)


def _html_table(rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in rows[1:])
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(summary: dict[str, Any]) -> str:
    """Return a self-contained HTML report: tables, PR curves and calibration."""
    neg = summary["negatives"]
    reasons = [["reason", "negatives", "flagged"]] + [
        [r, str(v["total"]), str(v["flagged"])] for r, v in sorted(neg["by_reason"].items())
    ]
    sweep = [["min confidence", "findings", "precision", "recall", "F1", "negatives flagged"]] + [
        [f"{row['threshold']:.2f}", str(row["all"]["findings"]), _pct(row["all"]["precision"]),
         _pct(row["all"]["recall"]), _pct(row["all"]["f1"]), _pct(row["fp_rate"])]
        for row in summary["sweep"]
    ]  # fmt: skip
    title = f"Nudge eval: {summary['critic']} on {summary['dataset']}"
    style = ("body{font-family:system-ui,sans-serif;margin:2em;color:#222}"
             "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;"
             "padding:3px 8px;text-align:right}td:first-child,th:first-child{text-align:left}"
             "figure{display:inline-block;margin:1em}figcaption{font-weight:600}")  # fmt: skip
    return "\n".join([
        "<!DOCTYPE html>",
        f'<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>',
        f"<style>{style}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f"<p>{summary['dataset_counts']['passages']} passages, "
        f"{summary['dataset_counts']['spans']} labelled spans, "
        f"{neg['total']} hard negatives; {summary['seconds']:.2f} s.</p>",
        "<h2>Per category (shown with default settings)</h2>",
        _html_table(table_rows(summary)),
        f"<h2>Hard negatives: {neg['flagged']} of {neg['total']} flagged</h2>",
        _html_table(reasons),
        "<h2>Plots</h2>",
        pr_curve_svg(summary),
        calibration_svg(summary),
        "<h2>Threshold sweep (all categories)</h2>",
        _html_table(sweep),
        "</body></html>",
    ])  # fmt: skip
