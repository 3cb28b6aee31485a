"""Write the extension's toolbar icons (PNG) with the standard library only: a book-spine shelf.

Run from the repository root: python extension/tools/make_icons.py
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "icons"
BG = (0x1F, 0x4E, 0x79, 255)  # deep blue rounded square
BOOKS = [(0xF2, 0xC1, 0x4E, 255), (0xFF, 0xFF, 0xFF, 255), (0x8E, 0xC6, 0x7E, 255)]


def _png(size: int, pixels: list[list[tuple[int, int, int, int]]]) -> bytes:
    raw = b"".join(b"\x00" + b"".join(struct.pack("4B", *px) for px in row) for row in pixels)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def draw(size: int) -> bytes:
    clear = (0, 0, 0, 0)
    radius = size * 0.2
    pixels = []
    for y in range(size):
        row = []
        for x in range(size):
            # rounded square
            cx = min(max(x + 0.5, radius), size - radius)
            cy = min(max(y + 0.5, radius), size - radius)
            inside = (x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= radius**2
            color = BG if inside else clear
            # three books standing on a shelf
            u, v = (x + 0.5) / size, (y + 0.5) / size
            spines = [(0.22, 0.36, 0.28), (0.40, 0.54, 0.20), (0.58, 0.72, 0.33)]
            for (left, right, top), book in zip(spines, BOOKS, strict=True):
                if left <= u < right and top <= v < 0.76:
                    color = book
            if 0.18 <= u < 0.82 and 0.76 <= v < 0.84:
                color = (0xFF, 0xFF, 0xFF, 255)
            row.append(color)
        pixels.append(row)
    return _png(size, pixels)


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for size in (16, 32, 48, 128):
        (OUT / f"icon-{size}.png").write_bytes(draw(size))


if __name__ == "__main__":
    main()
