#!/usr/bin/env python3
"""Draws static/description/icon.png: eight phase bars narrowing like a pipeline."""

from pathlib import Path

from PIL import Image, ImageDraw

SIZE = 256
COLORS = ["#875A7B", "#9B6B8E", "#AF7DA1", "#3F8E8A", "#2F7A76", "#28A745", "#D9822B", "#8A8F98"]


def main():
    icon = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(icon)
    draw.rounded_rectangle((0, 0, SIZE - 1, SIZE - 1), radius=40, fill="#FFFFFF", outline="#DDDDDD", width=4)
    top, bar_height, gap = 30, 19, 5
    for index, color in enumerate(COLORS):
        inset = 24 + index * 9
        y = top + index * (bar_height + gap)
        draw.rounded_rectangle((inset, y, SIZE - inset, y + bar_height), radius=8, fill=color)
    path = Path(__file__).resolve().parent.parent / "static" / "description" / "icon.png"
    icon.save(path)
    print(path)


if __name__ == "__main__":
    main()
