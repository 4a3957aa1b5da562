"""The document vault's index: notices issued once, read only by whom they concern, every read
recorded.

- Issue: each planned notice is rendered (deterministic PDF), stored in the vault under a key
  that carries its hash, then indexed with that hash, once per (kind, pool, investor, issue):
  a redelivered event finds its documents indexed and renders nothing. A crash between the
  vault and the index leaves a file nobody points to, never a pointer to nothing.
- Read: an investor sees their own documents, a manager those of the pools they manage, an
  administrator all; anyone else learns nothing (NotFound, as for an id that does not exist).
  The bytes are checked against the indexed hash on every read (DocumentTampered otherwise),
  and each view or download is recorded with who and when.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.investors.interface import InvestorService
from backend.platform.actors import Actor, Role
from backend.platform.db import Database
from backend.platform.errors import Conflict, DependencyUnavailable, NotFound
from backend.platform.orm import utcnow
from backend.platform.unit_of_work import ReadView, UnitOfWork
from backend.pools.interface import PoolService
from notifications.models import Delivery, Document, DocumentRead
from notifications.notices import Addressee, PlannedNotice
from notifications.pdf import (
    CapitalAccountStatement,
    CapitalCallNotice,
    render_capital_call,
    render_distribution,
    render_statement,
)
from notifications.schemas import Channel, DeliveryStatus, DocumentKind, DocumentOut, ReadAction
from notifications.vault import (
    DocumentMissing,
    DocumentTampered,
    VaultStore,
    VaultUnavailable,
    sha256_hex,
)

log = logging.getLogger(__name__)


def _render(notice: PlannedNotice) -> bytes:
    if isinstance(notice.content, CapitalCallNotice):
        return render_capital_call(notice.content)
    if isinstance(notice.content, CapitalAccountStatement):
        return render_statement(notice.content)
    return render_distribution(notice.content)


class DocumentShelf:
    def __init__(
        self,
        db: Database,
        vault: Callable[[], VaultStore],
        pools: Callable[[], PoolService],
        investors: Callable[[], InvestorService],
        *,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self._db = db
        self._vault = vault
        self._pools = pools
        self._investors = investors
        self._now = now

    # -- issuing (system: the event consumer) ---------------------------------------------

    def issue(
        self, pool_id: int, issue_key: str, entry_id: int | None, notices: Sequence[PlannedNotice]
    ) -> dict[int, int]:
        """Issue the notices not issued before; returns {investor id: document id} for all of
        them, new or not (the emails attach them)."""
        if not notices:
            return {}
        kinds = {n.kind.value for n in notices}
        have = self._issued(pool_id, issue_key, kinds)
        for notice in notices:
            if (notice.kind.value, notice.addressee.investor_id) in have:
                continue
            content = _render(notice)
            digest = sha256_hex(content)
            key = (
                f"pool-{pool_id}/{notice.kind.value}/{notice.issued_on.isoformat()}-"
                f"{notice.reference}-i{notice.addressee.investor_id}-{digest[:16]}.pdf"
            )
            self._vault().put(key, content)
            row = Document(
                kind=notice.kind.value,
                pool_id=pool_id,
                investor_id=notice.addressee.investor_id,
                user_id=notice.addressee.user_id,
                issue_key=issue_key,
                entry_id=entry_id,
                title=notice.title[:200],
                reference=notice.reference[:40],
                issued_on=notice.issued_on,
                storage_key=key,
                sha256=digest,
                size=len(content),
                created_at=self._now(),
            )
            try:
                with UnitOfWork(self._db) as unit:
                    unit.write_first("documents", "kind")
                    unit.session.add(row)
                    unit.commit()
            except IntegrityError:
                pass  # another consumer issued the same notice a moment ago: it stands
        return {investor: doc for (_, investor), doc in self._issued(pool_id, issue_key, kinds).items()}

    def _issued(self, pool_id: int, issue_key: str, kinds: set[str]) -> dict[tuple[str, int], int]:
        with ReadView(self._db) as view:
            rows = view.session.execute(
                select(Document.kind, Document.investor_id, Document.id).where(
                    Document.pool_id == pool_id, Document.issue_key == issue_key, Document.kind.in_(kinds)
                )
            )
            return {(kind, investor): doc for kind, investor, doc in rows}

    def content_for_email(self, document_id: int) -> tuple[str, bytes]:
        """(file name, verified bytes) of a document an email attaches (system)."""
        with ReadView(self._db) as view:
            row = view.session.get(Document, document_id)
            if row is None:
                raise NotFound(f"document {document_id} not found", field="document_id")
            key, digest, name = row.storage_key, row.sha256, f"{row.reference}.pdf"
        return name, self._vault().get(key, digest)

    # -- reading (people) -----------------------------------------------------------------

    def _own_investor(self, actor: Actor) -> int | None:
        if actor.role is not Role.INVESTOR or actor.user_id is None:
            return None
        profile = self._investors().investor_for_user(actor.user_id)
        return profile.id if profile is not None else None

    def require_manager(self, actor: Actor, pool_id: int) -> None:
        """The pool's managers and administrators issue its documents; anyone else learns
        nothing of the pool (NotFound)."""
        if not (actor.is_admin or (actor.role is Role.MANAGER and self._pools().can_manage(actor, pool_id))):
            raise NotFound(f"pool {pool_id} not found", field="pool_id")

    def pool_name(self, pool_id: int) -> str:
        return self._pools().pool_terms(pool_id).name

    def addressee(self, investor_id: int) -> Addressee | None:
        try:
            profile = self._investors().get_investor(Actor.operator("documents"), investor_id)
        except NotFound:
            return None
        return Addressee(investor_id, profile.user_id, profile.legal_name)

    def issued_for(self, pool_id: int, issue_key: str, kind: DocumentKind) -> set[int]:
        """The investors who already have this document."""
        return {investor for _, investor in self._issued(pool_id, issue_key, {kind.value})}

    def _may_see(self, actor: Actor, row: Document) -> bool:
        if actor.is_admin:
            return True
        if actor.role is Role.MANAGER:
            return self._pools().can_manage(actor, row.pool_id)
        return self._own_investor(actor) == row.investor_id

    def listing(
        self, actor: Actor, *, pool_id: int | None = None, kind: DocumentKind | None = None, limit: int = 200
    ) -> list[DocumentOut]:
        """The documents the actor may see, newest first, each with its addressee's reads."""
        stmt = select(Document).order_by(Document.issued_on.desc(), Document.id.desc()).limit(limit)
        if pool_id is not None:
            stmt = stmt.where(Document.pool_id == pool_id)
        if kind is not None:
            stmt = stmt.where(Document.kind == kind.value)
        if actor.role is Role.INVESTOR:
            own = self._own_investor(actor)
            if own is None:
                return []
            stmt = stmt.where(Document.investor_id == own)
        elif actor.role is Role.MANAGER:
            if pool_id is not None and not self._pools().can_manage(actor, pool_id):
                raise NotFound(f"pool {pool_id} not found", field="pool_id")
            stmt = stmt.where(Document.pool_id.in_(self._managed_pools(actor) or [0]))
        elif not actor.is_admin:
            return []  # analysts read aggregates, not an investor's notices
        with ReadView(self._db, actor.reader_key) as view:
            rows = list(view.session.scalars(stmt))
            reads = self._addressee_reads(view.session, rows)
            sent = _delivery_states(view.session, rows)
            return [
                self._out(row, *reads.get(row.id, (None, 0))).model_copy(update=sent.get(row.id, {}))
                for row in rows
            ]

    def _managed_pools(self, actor: Actor) -> list[int]:
        """Of the pools that have documents (a handful), those the manager manages."""
        with ReadView(self._db, actor.reader_key) as view:
            pools = list(view.session.scalars(select(Document.pool_id).distinct()))
        return [pool for pool in pools if self._pools().can_manage(actor, pool)]

    def email_of(self, actor: Actor, document_id: int) -> int:
        """The email that carried the document, for its pool's managers (or an administrator)
        to send again to one investor; NotFound for anyone else, as if it did not exist."""
        with ReadView(self._db, actor.reader_key) as view:
            row = view.session.get(Document, document_id)
            staff = actor.is_admin or actor.role is Role.MANAGER
            if row is None or not staff or not self._may_see(actor, row):
                raise NotFound(f"document {document_id} not found", field="document_id")
            delivery = view.session.scalar(
                select(Delivery.id).where(
                    Delivery.document_id == document_id, Delivery.channel == Channel.EMAIL.value
                )
            )
        if delivery is None:
            raise Conflict(
                f"document_id: no email was recorded for document {document_id} (the investor has "
                "no active login, or it was issued as history)",
                field="document_id",
            )
        return int(delivery)

    @staticmethod
    def _addressee_reads(session: Session, rows: list[Document]) -> dict[int, tuple[datetime | None, int]]:
        """{document: (first read, reads)} by the person it is addressed to (a manager's own
        look at a notice is recorded, but is not the investor having opened it)."""
        if not rows:
            return {}
        addressee = {row.id: row.user_id for row in rows}
        found = session.execute(
            select(DocumentRead.document_id, DocumentRead.user_id, func.min(DocumentRead.at), func.count())
            .where(DocumentRead.document_id.in_(list(addressee)))
            .group_by(DocumentRead.document_id, DocumentRead.user_id)
        )
        return {doc: (first, count) for doc, user, first, count in found if addressee[doc] == user}

    @staticmethod
    def _out(row: Document, opened_at: datetime | None, opens: int) -> DocumentOut:
        out = DocumentOut.model_validate(row)
        return out.model_copy(update={"opened_at": opened_at, "opens": opens})

    def open(self, actor: Actor, document_id: int, action: ReadAction) -> tuple[DocumentOut, bytes]:
        """The document and its verified bytes; the read is recorded (who, what, when)."""
        with ReadView(self._db, actor.reader_key) as view:
            row = view.session.get(Document, document_id)
            if row is None or not self._may_see(actor, row):
                raise NotFound(f"document {document_id} not found", field="document_id")
            out = self._out(row, None, 0)
            key = row.storage_key
        try:
            content = self._vault().get(key, out.sha256)
        except (DocumentTampered, DocumentMissing) as exc:
            # Never serve anything but the document as issued; this is for an operator now.
            log.error("document %s refused: %s: %s", document_id, type(exc).__name__, exc)
            raise Conflict(
                f"document_id: document {document_id} is not as it was issued and is withheld; "
                "an administrator must restore it from backup",
                field="document_id",
            ) from exc
        except VaultUnavailable as exc:
            raise DependencyUnavailable(f"document_id: the document store is unavailable: {exc}") from exc
        if actor.user_id is not None:
            with UnitOfWork(self._db, actor.reader_key) as unit:
                unit.write_first("document_reads", "action")
                unit.session.add(
                    DocumentRead(
                        document_id=document_id, user_id=actor.user_id, action=action.value, at=self._now()
                    )
                )
                unit.commit()
        return out, content


def _delivery_states(session: Session, rows: list[Document]) -> dict[int, dict[str, Any]]:
    """{document: its email's id and state, and its text's state}: the email carries the
    document; the text is the same event's, to the same person."""
    if not rows:
        return {}
    emails = session.execute(
        select(Delivery.document_id, Delivery.id, Delivery.status, Delivery.event_id, Delivery.user_id).where(
            Delivery.document_id.in_([row.id for row in rows]), Delivery.channel == Channel.EMAIL.value
        )
    ).all()
    found: dict[int, dict[str, Any]] = {}
    events: dict[tuple[str, int], int] = {}
    for document_id, delivery_id, status, event_id, user_id in emails:
        if document_id is None:  # pragma: no cover - selected by document
            continue
        found[int(document_id)] = {
            "email_status": DeliveryStatus(status),
            "email_delivery_id": int(delivery_id),
        }
        events[(event_id, user_id)] = int(document_id)
    if events:
        texts = session.execute(
            select(Delivery.event_id, Delivery.user_id, Delivery.status).where(
                Delivery.event_id.in_(sorted({e for e, _ in events})), Delivery.channel == Channel.SMS.value
            )
        )
        for event_id, user_id, status in texts:
            document = events.get((event_id, user_id))
            if document is not None:
                found[document]["sms_status"] = DeliveryStatus(status)
    return found
