"""Pages that say "page n of N": a reportlab canvas that holds its pages until the last, so that
each page's footer can name how many there are."""

from __future__ import annotations

from collections.abc import Callable

from reportlab.pdfgen.canvas import Canvas


def numbered(footer: Callable[[Canvas, int, int], None]) -> type:
    """A canvas class (``canvasmaker``) that draws ``footer(canvas, page, pages)`` on every page."""

    class Numbered(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):  # noqa: N802 (reportlab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            for number, state in enumerate(self._pages, 1):
                self.__dict__.update(state)
                footer(self, number, len(self._pages))
                super().showPage()
            super().save()

    return Numbered
