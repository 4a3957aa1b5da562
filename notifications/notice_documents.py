"""The formal notices a person is sent as documents: issued once per event, listed for those
who may see them, opened against the hash they were issued with, and the capital account
statements a manager issues for a period.

Kept apart from notifications.service, whose NotificationCentre inherits `NoticeDocuments`,
because documents are the legal record (notifications/documents.py keeps them, the vault
holds their bytes) and change for reasons of their own: who may see a notice, what a
statement carries. A statement's issue tells each investor through the centre's one way in,
`create_for_event`, which a Protocol declares here; the shelf and the statements' source are
the centre's: this class declares them as annotations and never sets them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from backend.platform.actors import Actor
from backend.platform.errors import NotFound, ValidationFailed
from notifications.catalogue import worded
from notifications.documents import DocumentShelf
from notifications.notices import PlannedNotice, statement_notice
from notifications.pdf import CapitalAccountStatement
from notifications.schemas import (
    Amount,
    Day,
    DocumentKind,
    DocumentOut,
    NotificationIn,
    NotificationKind,
    ReadAction,
    StatementFigures,
    StatementIssueOut,
)

StatementSource = Callable[[Actor, int, str], list[StatementFigures]]
"""(actor, pool, period) -> each investor's statement figures (the reports service, checking
the actor may read them)."""


class CreatesNotifications(Protocol):
    """How the centre tells people of an event (its `create_for_event`): in the app, by email
    and by text as each chose, once per event id."""

    def __call__(self, event_id: str, items: list[NotificationIn]) -> int: ...


class NoticeDocuments:
    """The documents side of notifications.service.NotificationCentre, which sets every
    attribute declared here."""

    _documents: DocumentShelf | None
    _statement_figures: StatementSource | None
    create_for_event: CreatesNotifications

    def issue_documents(
        self, pool_id: int, issue_key: str, entry_id: int | None, notices: list[PlannedNotice]
    ) -> dict[int, int]:
        """System (the event consumer): issue the notices once; {investor id: document id}."""
        return self._shelf().issue(pool_id, issue_key, entry_id, notices) if self._documents else {}

    def documents(
        self, actor: Actor, *, pool_id: int | None = None, kind: DocumentKind | None = None, limit: int = 200
    ) -> list[DocumentOut]:
        """The documents the actor may see (their own; their pools'; all for admins), newest
        first, each with when its addressee first opened it."""
        if not 1 <= limit <= 1000:
            raise ValidationFailed("limit: must be 1..1000", field="limit")
        return self._shelf().listing(actor, pool_id=pool_id, kind=kind, limit=limit)

    def open_document(self, actor: Actor, document_id: int, action: ReadAction) -> tuple[DocumentOut, bytes]:
        """The document's PDF, checked against its issued hash; the read is recorded."""
        return self._shelf().open(actor, document_id, action)

    def issue_statements(self, actor: Actor, pool_id: int, period: str) -> StatementIssueOut:
        """The pool's capital account statements for `period`, one per investor, issued once
        (a second run issues only those missing) and sent to each investor as a formal notice
        with the PDF attached (pool managers and administrators)."""
        shelf = self._shelf()
        shelf.require_manager(actor, pool_id)
        if self._statement_figures is None:
            raise NotFound("statements are not issued here", field="pool_id")
        statements = self._statement_figures(actor, pool_id, period)
        label = statements[0].period if statements else period
        issue_key = f"statement:{label}"
        before = shelf.issued_for(pool_id, issue_key, DocumentKind.CAPITAL_ACCOUNT_STATEMENT)
        name = shelf.pool_name(pool_id)
        planned = []
        for figures in statements:
            who = shelf.addressee(figures.investor_id)
            if who is not None:
                planned.append(statement_notice(figures, pool_name=name, addressee=who))
        documents = shelf.issue(pool_id, issue_key, None, planned)
        items = [
            NotificationIn(
                user_id=notice.addressee.user_id,
                kind=NotificationKind.STATEMENT,
                pool_id=pool_id,
                title=notice.title,
                body_words=worded(
                    "Closing balance %(balance)s at %(day)s.",
                    balance=Amount(value=notice.content.closing_balance, currency=notice.content.currency),
                    day=Day(value=notice.issued_on),
                ),
                link="/documents",
                document_id=documents.get(notice.addressee.investor_id),
            )
            for notice in planned
            if isinstance(notice.content, CapitalAccountStatement)
        ]
        self.create_for_event(f"statement:{pool_id}:{label}", items)
        issued = len(set(documents) - before)
        return StatementIssueOut(
            pool_id=pool_id, period=label, issued=issued, already=len(before & set(documents))
        )

    def _shelf(self) -> DocumentShelf:
        if self._documents is None:
            raise NotFound("documents are not kept here")
        return self._documents
