"""Notifications over REST: the caller's own (list, mark read), their preferences per kind
and channel, the one-click unsubscribe that mail clients post to, and the admins' email log."""

from __future__ import annotations

from flask import Response, request
from pydantic import BaseModel, ConfigDict, Field

from backend.api.routing import ApiRouter
from backend.platform.actors import Actor
from backend.service_directory import Services
from notifications.interface import (
    DeliveryFilter,
    DeliveryOut,
    DigestChoice,
    DocumentKind,
    EmailPreview,
    LanguageChoice,
    NotificationKind,
    NotificationList,
    NotificationOut,
    PreferenceIn,
    PreferenceOut,
    ProviderHealthOut,
)


class NotificationQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unread_only: bool = False
    limit: int = Field(default=20, ge=1, le=100)
    kind: NotificationKind | None = None


class UnsubscribeQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=1, max_length=200, description="from the email's List-Unsubscribe link")


class SmsReportOutcome(BaseModel):
    status: str | None = Field(description="the text's new state (delivered, bounced), or null: no change")


class TemplatePreviewQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: NotificationKind


class DocumentPreviewQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: DocumentKind


def register(router: ApiRouter, container: Services) -> None:
    @router.operation(
        "GET",
        "/notifications",
        summary="The caller's notifications, newest first, with the unread count",
        tag="notifications",
        query=NotificationQuery,
        response=NotificationList,
    )
    def list_notifications(actor: Actor, query: NotificationQuery) -> NotificationList:
        return container.notifications.list_for_user(
            actor, unread_only=query.unread_only, limit=query.limit, kind=query.kind
        )

    @router.operation(
        "POST",
        "/notifications/{notification_id}/read",
        summary="Mark one of the caller's notifications read",
        tag="notifications",
        response=NotificationOut,
        errors=(404,),
    )
    def post_notification_read(actor: Actor, notification_id: int) -> NotificationOut:
        return container.notifications.mark_read(actor, notification_id)

    @router.operation(
        "GET",
        "/notifications/deliveries",
        summary="The email delivery log, newest first: state, tries, last error (administrators)",
        tag="notifications",
        query=DeliveryFilter,
        response=list[DeliveryOut],
        errors=(403,),
    )
    def list_deliveries(actor: Actor, query: DeliveryFilter) -> list[DeliveryOut]:
        return container.notifications.delivery_log(actor, query=query)

    @router.operation(
        "GET",
        "/notifications/providers",
        summary="Email and SMS providers as the last day's deliveries show them: what waits, the "
        "last error, a verdict (administrators)",
        tag="notifications",
        response=list[ProviderHealthOut],
        errors=(403,),
    )
    def list_provider_health(actor: Actor) -> list[ProviderHealthOut]:
        return container.notifications.provider_health(actor)

    @router.operation(
        "POST",
        "/notifications/deliveries/{delivery_id}/resend",
        summary="Queue a failed or unknown email again, to the person's current address (administrators)",
        tag="notifications",
        response=DeliveryOut,
        errors=(403, 404, 409),
    )
    def resend_delivery(actor: Actor, delivery_id: int) -> DeliveryOut:
        return container.notifications.resend_delivery(actor, delivery_id)

    # A kind is a name, not an id, and path parameters here are ids (routing.py): the kind
    # goes in the query instead of /notifications/templates/{kind}/preview.
    @router.operation(
        "GET",
        "/notifications/template-previews",
        summary="One kind of email rendered with sample figures: subject, text and HTML (administrators)",
        tag="notifications",
        query=TemplatePreviewQuery,
        response=EmailPreview,
        errors=(403,),
    )
    def get_template_preview(actor: Actor, query: TemplatePreviewQuery) -> EmailPreview:
        return container.notifications.preview_email(actor, query.kind)

    @router.operation(
        "GET",
        "/notifications/document-previews",
        summary="One kind of notice or statement as a PDF with sample figures (administrators)",
        tag="notifications",
        query=DocumentPreviewQuery,
        errors=(403,),
    )
    def get_document_preview(actor: Actor, query: DocumentPreviewQuery) -> Response:
        content = container.notifications.preview_document(actor, query.kind)
        response = Response(content, mimetype="application/pdf")
        response.headers["Content-Disposition"] = f'attachment; filename="sample-{query.kind.value}.pdf"'
        return response

    @router.operation(
        "GET",
        "/notification-preferences",
        summary="The caller's notification preferences: every kind on every channel, as they apply now",
        tag="notifications",
        response=list[PreferenceOut],
        errors=(404,),
    )
    def list_preferences(actor: Actor) -> list[PreferenceOut]:
        return container.notifications.preferences(actor)

    @router.operation(
        "PUT",
        "/notification-preferences",
        summary="Switch one kind of notice on or off on one channel (formal notices cannot be switched off)",
        tag="notifications",
        body=PreferenceIn,
        response=PreferenceOut,
        errors=(404,),
    )
    def put_preference(actor: Actor, body: PreferenceIn) -> PreferenceOut:
        return container.notifications.set_preference(actor, body.kind, body.channel, body.enabled)

    @router.operation(
        "GET",
        "/notification-preferences/language",
        summary="The language the signed-in person reads their notices in",
        tag="notifications",
        response=LanguageChoice,
        errors=(404,),
    )
    def get_language(actor: Actor) -> LanguageChoice:
        return container.notifications.language(actor)

    @router.operation(
        "PUT",
        "/notification-preferences/language",
        summary="Choose the language of your notices (the bell, emails and texts from now on)",
        tag="notifications",
        body=LanguageChoice,
        response=LanguageChoice,
        errors=(404, 422),
    )
    def put_language(actor: Actor, body: LanguageChoice) -> LanguageChoice:
        return container.notifications.set_language(actor, body.language)

    @router.operation(
        "GET",
        "/notification-preferences/digest",
        summary="Whether the signed-in person takes valuation news as a daily or weekly digest",
        tag="notifications",
        response=DigestChoice,
        errors=(404,),
    )
    def get_digest(actor: Actor) -> DigestChoice:
        return container.notifications.digest(actor)

    @router.operation(
        "PUT",
        "/notification-preferences/digest",
        summary="Choose a daily or weekly digest of valuation news, or none (off): while one is "
        "chosen, valuations are not emailed one by one",
        tag="notifications",
        body=DigestChoice,
        response=DigestChoice,
        errors=(404,),
    )
    def put_digest(actor: Actor, body: DigestChoice) -> DigestChoice:
        return container.notifications.set_digest(actor, body.frequency)

    @router.operation(
        "POST",
        "/notification-preferences/unsubscribe",
        summary="One-click unsubscribe (RFC 8058): the signed link in an email's List-Unsubscribe header",
        tag="notifications",
        query=UnsubscribeQuery,
        response=PreferenceOut,
        public=True,
    )
    def unsubscribe_one_click(query: UnsubscribeQuery) -> PreferenceOut:
        return container.notifications.unsubscribe(query.token)

    @router.operation(
        "POST",
        "/notifications/sms-status",
        summary="The SMS provider's delivery report (Twilio status callback), checked against its signature",
        tag="notifications",
        response=SmsReportOutcome,
        public=True,
        errors=(404,),
    )
    def sms_status_report() -> SmsReportOutcome:
        params = {key: value for key, value in request.form.items()}
        state = container.notifications.apply_sms_report(
            params, request.headers.get("X-Twilio-Signature", "")
        )
        return SmsReportOutcome(status=state)
