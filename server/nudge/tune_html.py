"""The page `nudge tune --html` writes: one self-contained file, inline SVG, no scripts."""

from __future__ import annotations

import html
from typing import Any

W, H, PAD = 320, 220, 34
COLOURS = {"local": "#2c7fb8", "claude": "#d95f0e", "terms": "#31a354"}


def _plot(category: str, entry: dict[str, Any]) -> str:
    """Return an SVG of acceptance against confidence, one series per critic."""

    def x(v: float) -> float:
        return PAD + v * (W - 2 * PAD)

    def y(v: float) -> float:
        return H - PAD - v * (H - 2 * PAD)

    parts = [
        f'<svg width="{W}" height="{H}" viewBox="0 0 {W} {H}" role="img">',
        f"<title>{html.escape(category)}: acceptance by confidence</title>",
        f'<rect x="{PAD}" y="{PAD}" width="{W - 2 * PAD}" height="{H - 2 * PAD}" '
        'fill="none" stroke="#999"/>',
        f'<line x1="{x(0)}" y1="{y(0)}" x2="{x(1)}" y2="{y(1)}" stroke="#ccc" '
        'stroke-dasharray="4"/>',
        f'<text x="{W / 2}" y="{H - 6}" text-anchor="middle" font-size="11">confidence</text>',
        f'<text x="10" y="{H / 2}" font-size="11" transform="rotate(-90 10 {H / 2})" '
        'text-anchor="middle">accepted</text>',
    ]
    for critic, table in entry["critics"].items():
        colour = COLOURS.get(critic, "#555")
        points = [
            (x((b["lo"] + b["hi"]) / 2), y(b["rate"]), b["shown"])
            for b in table
            if b["rate"] is not None
        ]
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py, _ in points)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}"/>')
        for px, py, n in points:
            r = min(8.0, 2 + n**0.5)
            parts.append(
                f'<circle cx="{px:.1f}" cy="{py:.1f}" r="{r:.1f}" fill="{colour}">'
                f"<title>{html.escape(critic)}: {n} shown</title></circle>"
            )
    if "threshold" in entry:
        tx = x(entry["threshold"])
        parts.append(f'<line x1="{tx}" y1="{PAD}" x2="{tx}" y2="{H - PAD}" stroke="#c00"/>')
    parts.append("</svg>")
    return "".join(parts)


def render_html(report: dict[str, Any]) -> str:
    """Return the whole page for a `tune.tune` report."""
    sections = []
    for category, entry in report["categories"].items():
        caption = f"{entry['shown']} decided, {entry['accepted']} accepted"
        if "threshold" in entry:
            bt = entry["backtest"]
            caption += (
                f"; at {entry['threshold']:.2f}: {bt['fewer_shown']:.0%} fewer shown, "
                f"{bt['accepted_lost']:.0%} of accepted lost"
            )
        legend = ", ".join(
            f'<span style="color:{COLOURS.get(c, "#555")}">{html.escape(c)}</span>'
            for c in entry["critics"]
        )
        sections.append(
            f"<figure>{_plot(category, entry)}<figcaption><b>"
            f"{html.escape(category)}</b> ({legend}): {html.escape(caption)}"
            "</figcaption></figure>"
        )
    return (
        "<!doctype html><html lang=en><meta charset=utf-8><title>nudge tune</title>"
        "<style>body{font:14px sans-serif;margin:2em}figure{display:inline-block;"
        "margin:1em}</style><h1>Acceptance by confidence</h1>"
        f"<p>{report['words']:,} words in the documents opened. The dashed line is perfect "
        "calibration; the red line is the chosen threshold.</p>" + "".join(sections)
    )
