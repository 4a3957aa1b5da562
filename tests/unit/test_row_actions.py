"""A grid row's buttons: what a press reports is read strictly (it comes from the browser)."""

from __future__ import annotations

import pytest

from portal.components.row_actions import actions_column, pressed_row, row_action


@pytest.mark.parametrize(
    ("pressed", "action", "row"),
    [
        ({"value": {"action": "pdf", "id": 7}, "rowIndex": 0}, "pdf", 7),
        ({"value": {"action": "resend", "id": 7}}, "resend", 7),
        ({"value": {"action": "pdf", "id": 7}}, "resend", None),  # the other button
        ({"value": {"action": "pdf", "id": "7"}}, "pdf", None),
        ({"value": {"action": "pdf", "id": True}}, "pdf", None),
        ({"value": {"action": "pdf", "id": 7.0}}, "pdf", None),
        ({"value": {"action": "pdf"}}, "pdf", None),
        ({"value": [7]}, "pdf", None),
        ({"value": None}, "pdf", None),
        ([], "pdf", None),
        (None, "pdf", None),
    ],
)
def test_a_press_names_its_row_or_nothing(pressed: object, action: str, row: int | None) -> None:
    assert pressed_row(pressed, action) == row


def test_a_row_action_carries_its_accessible_name_and_the_column_draws_them() -> None:
    pdf = row_action("pdf", "PDF", "Download CC-1.pdf", primary=True)
    assert pdf["action"] == "pdf" and pdf["label"] == "PDF" and pdf["title"] == "Download CC-1.pdf"
    assert pdf["style"] == "btn-outline-primary"
    assert row_action("resend", "Resend", "Email again")["style"] == "btn-outline-secondary"
    column = actions_column("File")
    assert column["cellRenderer"] == "RowActions" and column["field"] == "actions"
    assert column["sortable"] is False and column["filter"] is False
