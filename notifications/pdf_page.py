"""The page a formal notice is laid out on: one A4 page (more when the figures run on) with
a masthead, the addressee, shaded section headings, label-and-amount rows and the footer.

Kept apart from the documents (notifications/pdf.py), which say what goes on each notice,
because this is how any notice looks: margins, colours, wrapping and page breaks change here
and nowhere else. The creation date is pinned to the document's own date, so the same input
renders to the same bytes (the vault keeps each issued document's SHA-256).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from notifications.figures import latin1

_MARGIN = 20.0
_CONTENT_WIDTH = 210.0 - 2 * _MARGIN
_LABEL_WIDTH = 105.0
_VALUE_WIDTH = _CONTENT_WIDTH - _LABEL_WIDTH
_ROW_HEIGHT = 7.0
_LINE_HEIGHT = 5.0
_INK = (33, 37, 41)
_MUTED = (108, 117, 125)
_RULE = (206, 212, 218)
_SHADE = (241, 243, 245)


class _Page(FPDF):
    """One A4 page with the notice's footer on it."""

    def __init__(self, *, pool_name: str, title: str, subject: str, issued: date, reference: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self._footer_text = latin1(
            f"Issued by {pool_name} via the investor portal. Document reference {reference}."
        )
        self.set_margins(_MARGIN, _MARGIN, _MARGIN)
        # Leaves room for the footer, which sits 18 mm from the bottom edge.
        self.set_auto_page_break(auto=True, margin=28)
        self.set_title(latin1(title))
        self.set_author(latin1(pool_name))
        self.set_subject(latin1(subject))
        self.set_creator("Investor portal")
        self.set_lang("en")
        # Pinned to the document's own date: fpdf2 would otherwise stamp the time of rendering.
        self.set_creation_date(datetime(issued.year, issued.month, issued.day, tzinfo=UTC))
        self.set_text_color(*_INK)
        self.add_page()

    def footer(self) -> None:
        self.set_y(-20)
        self.set_draw_color(*_RULE)
        self.line(_MARGIN, self.get_y() - 2, _MARGIN + _CONTENT_WIDTH, self.get_y() - 2)
        self.set_font("Helvetica", "", 8)
        self.set_text_color(*_MUTED)
        self.multi_cell(_CONTENT_WIDTH, 4, self._footer_text, align="L")
        self.set_text_color(*_INK)

    # header: pool name, title and date, then a rule
    def masthead(self, pool_name: str, title: str, date_label: str) -> None:
        self.set_font("Helvetica", "B", 16)
        self.multi_cell(_CONTENT_WIDTH, 8, latin1(pool_name), align="L")
        self.ln(1)
        self.set_font("Helvetica", "B", 13)
        title_width = _CONTENT_WIDTH * 0.55
        self.cell(title_width, 7, latin1(title), align="L")
        self.set_font("Helvetica", "", 10)
        self.set_text_color(*_MUTED)
        self.cell(_CONTENT_WIDTH - title_width, 7, latin1(date_label), align="R")
        self.set_text_color(*_INK)
        self.ln(9)
        self.set_draw_color(*_INK)
        self.set_line_width(0.4)
        self.line(_MARGIN, self.get_y(), _MARGIN + _CONTENT_WIDTH, self.get_y())
        self.set_line_width(0.2)
        self.ln(6)

    def addressee(self, investor_name: str) -> None:
        self.set_font("Helvetica", "", 9)
        self.set_text_color(*_MUTED)
        self.cell(_CONTENT_WIDTH, 5, "To", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(*_INK)
        self.set_font("Helvetica", "B", 11)
        self.multi_cell(_CONTENT_WIDTH, 6, latin1(investor_name), align="L")
        self.ln(4)

    def paragraph(self, text: str) -> None:
        self.set_font("Helvetica", "", 10)
        self.multi_cell(_CONTENT_WIDTH, _LINE_HEIGHT, latin1(text), align="L")
        self.ln(4)

    def section(self, heading: str) -> None:
        self.set_font("Helvetica", "B", 10)
        if self.will_page_break(_ROW_HEIGHT * 2):
            self.add_page()  # a heading is never left alone at the foot of a page
        self.set_fill_color(*_SHADE)
        self.rect(_MARGIN, self.get_y(), _CONTENT_WIDTH, _ROW_HEIGHT, style="F")
        self.set_x(_MARGIN + 2)
        self.cell(_CONTENT_WIDTH - 4, _ROW_HEIGHT, latin1(heading))
        self.ln(_ROW_HEIGHT)

    def row(self, label: str, value: str, *, bold: bool = False, total: bool = False) -> None:
        """A label on the left and its value right-aligned in the column on the right; either
        wraps onto more lines when long, and the row grows to the taller of the two."""
        label, value = latin1(label), latin1(value)
        self.set_font("Helvetica", "B" if bold else "", 10)
        label_lines = self._lines(_LABEL_WIDTH - 2, label)
        value_lines = self._lines(_VALUE_WIDTH - 2, value)
        height = max(_ROW_HEIGHT, _LINE_HEIGHT * max(label_lines, value_lines) + 2)
        if self.will_page_break(height):
            self.add_page()
        top = self.get_y()
        if total:
            self.set_draw_color(*_INK)
            self.line(_MARGIN, top, _MARGIN + _CONTENT_WIDTH, top)
        pad = (height - _LINE_HEIGHT * max(label_lines, 1)) / 2
        self.set_xy(_MARGIN + 2, top + pad)
        self.multi_cell(_LABEL_WIDTH - 2, _LINE_HEIGHT, label, align="L")
        pad = (height - _LINE_HEIGHT * max(value_lines, 1)) / 2
        self.set_xy(_MARGIN + _LABEL_WIDTH, top + pad)
        self.multi_cell(_VALUE_WIDTH - 2, _LINE_HEIGHT, value, align="R")
        self.set_draw_color(*_RULE)
        self.line(_MARGIN, top + height, _MARGIN + _CONTENT_WIDTH, top + height)
        self.set_xy(_MARGIN, top + height)

    def gap(self, height: float = 6) -> None:
        self.ln(height)

    def _lines(self, width: float, text: str) -> int:
        lines = self.multi_cell(width, _LINE_HEIGHT, text, dry_run=True, output="LINES")
        if not isinstance(lines, list):
            raise TypeError(f"fpdf2 returned {type(lines).__name__} for the lines of a cell")
        return max(1, len(lines))

    def render(self) -> bytes:
        return bytes(self.output())
