from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ListForUserRequest(_message.Message):
    __slots__ = ("unread_only", "limit", "kind")
    UNREAD_ONLY_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    unread_only: bool
    limit: int
    kind: str
    def __init__(self, unread_only: _Optional[bool] = ..., limit: _Optional[int] = ..., kind: _Optional[str] = ...) -> None: ...

class ListForUserResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: NotificationList
    def __init__(self, result: _Optional[_Union[NotificationList, _Mapping]] = ...) -> None: ...

class UnreadCountRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class UnreadCountResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: int
    def __init__(self, result: _Optional[int] = ...) -> None: ...

class MarkReadRequest(_message.Message):
    __slots__ = ("notification_id",)
    NOTIFICATION_ID_FIELD_NUMBER: _ClassVar[int]
    notification_id: int
    def __init__(self, notification_id: _Optional[int] = ...) -> None: ...

class MarkReadResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: NotificationOut
    def __init__(self, result: _Optional[_Union[NotificationOut, _Mapping]] = ...) -> None: ...

class MarkAllReadRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class MarkAllReadResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: int
    def __init__(self, result: _Optional[int] = ...) -> None: ...

class PreferencesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class PreferencesResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _containers.RepeatedCompositeFieldContainer[PreferenceOut]
    def __init__(self, result: _Optional[_Iterable[_Union[PreferenceOut, _Mapping]]] = ...) -> None: ...

class SetPreferenceRequest(_message.Message):
    __slots__ = ("kind", "channel", "enabled")
    KIND_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    kind: str
    channel: str
    enabled: bool
    def __init__(self, kind: _Optional[str] = ..., channel: _Optional[str] = ..., enabled: _Optional[bool] = ...) -> None: ...

class SetPreferenceResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: PreferenceOut
    def __init__(self, result: _Optional[_Union[PreferenceOut, _Mapping]] = ...) -> None: ...

class LanguageRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class LanguageResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: LanguageChoice
    def __init__(self, result: _Optional[_Union[LanguageChoice, _Mapping]] = ...) -> None: ...

class SetLanguageRequest(_message.Message):
    __slots__ = ("language",)
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    language: str
    def __init__(self, language: _Optional[str] = ...) -> None: ...

class SetLanguageResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: LanguageChoice
    def __init__(self, result: _Optional[_Union[LanguageChoice, _Mapping]] = ...) -> None: ...

class DigestRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DigestResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: DigestChoice
    def __init__(self, result: _Optional[_Union[DigestChoice, _Mapping]] = ...) -> None: ...

class SetDigestRequest(_message.Message):
    __slots__ = ("frequency",)
    FREQUENCY_FIELD_NUMBER: _ClassVar[int]
    frequency: str
    def __init__(self, frequency: _Optional[str] = ...) -> None: ...

class SetDigestResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: DigestChoice
    def __init__(self, result: _Optional[_Union[DigestChoice, _Mapping]] = ...) -> None: ...

class SendDigestsRequest(_message.Message):
    __slots__ = ("now",)
    NOW_FIELD_NUMBER: _ClassVar[int]
    now: str
    def __init__(self, now: _Optional[str] = ...) -> None: ...

class SendDigestsResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: int
    def __init__(self, result: _Optional[int] = ...) -> None: ...

class UnsubscribeRequest(_message.Message):
    __slots__ = ("token",)
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    token: str
    def __init__(self, token: _Optional[str] = ...) -> None: ...

class UnsubscribeResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: PreferenceOut
    def __init__(self, result: _Optional[_Union[PreferenceOut, _Mapping]] = ...) -> None: ...

class DocumentsRequest(_message.Message):
    __slots__ = ("pool_id", "kind", "limit")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    kind: str
    limit: int
    def __init__(self, pool_id: _Optional[int] = ..., kind: _Optional[str] = ..., limit: _Optional[int] = ...) -> None: ...

class DocumentsResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _containers.RepeatedCompositeFieldContainer[DocumentOut]
    def __init__(self, result: _Optional[_Iterable[_Union[DocumentOut, _Mapping]]] = ...) -> None: ...

class OpenDocumentRequest(_message.Message):
    __slots__ = ("document_id", "action")
    DOCUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    document_id: int
    action: str
    def __init__(self, document_id: _Optional[int] = ..., action: _Optional[str] = ...) -> None: ...

class OpenDocumentResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: TupleDocumentOutData
    def __init__(self, result: _Optional[_Union[TupleDocumentOutData, _Mapping]] = ...) -> None: ...

class IssueStatementsRequest(_message.Message):
    __slots__ = ("pool_id", "period")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    period: str
    def __init__(self, pool_id: _Optional[int] = ..., period: _Optional[str] = ...) -> None: ...

class IssueStatementsResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: StatementIssueOut
    def __init__(self, result: _Optional[_Union[StatementIssueOut, _Mapping]] = ...) -> None: ...

class CreateForEventRequest(_message.Message):
    __slots__ = ("event_id", "items")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    items: _containers.RepeatedCompositeFieldContainer[NotificationIn]
    def __init__(self, event_id: _Optional[str] = ..., items: _Optional[_Iterable[_Union[NotificationIn, _Mapping]]] = ...) -> None: ...

class CreateForEventResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: int
    def __init__(self, result: _Optional[int] = ...) -> None: ...

class SendDueEmailsRequest(_message.Message):
    __slots__ = ("limit",)
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    limit: int
    def __init__(self, limit: _Optional[int] = ...) -> None: ...

class SendDueEmailsResponse(_message.Message):
    __slots__ = ("result",)
    class ResultEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _containers.ScalarMap[str, int]
    def __init__(self, result: _Optional[_Mapping[str, int]] = ...) -> None: ...

class SendDueSmsRequest(_message.Message):
    __slots__ = ("limit",)
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    limit: int
    def __init__(self, limit: _Optional[int] = ...) -> None: ...

class SendDueSmsResponse(_message.Message):
    __slots__ = ("result",)
    class ResultEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _containers.ScalarMap[str, int]
    def __init__(self, result: _Optional[_Mapping[str, int]] = ...) -> None: ...

class ApplySmsReportRequest(_message.Message):
    __slots__ = ("params", "signature")
    class ParamsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    params: _containers.ScalarMap[str, str]
    signature: str
    def __init__(self, params: _Optional[_Mapping[str, str]] = ..., signature: _Optional[str] = ...) -> None: ...

class ApplySmsReportResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: str
    def __init__(self, result: _Optional[str] = ...) -> None: ...

class DeliveryLogRequest(_message.Message):
    __slots__ = ("status", "limit", "query")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    status: str
    limit: int
    query: DeliveryFilter
    def __init__(self, status: _Optional[str] = ..., limit: _Optional[int] = ..., query: _Optional[_Union[DeliveryFilter, _Mapping]] = ...) -> None: ...

class DeliveryLogResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _containers.RepeatedCompositeFieldContainer[DeliveryOut]
    def __init__(self, result: _Optional[_Iterable[_Union[DeliveryOut, _Mapping]]] = ...) -> None: ...

class ResendDeliveryRequest(_message.Message):
    __slots__ = ("delivery_id",)
    DELIVERY_ID_FIELD_NUMBER: _ClassVar[int]
    delivery_id: int
    def __init__(self, delivery_id: _Optional[int] = ...) -> None: ...

class ResendDeliveryResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: DeliveryOut
    def __init__(self, result: _Optional[_Union[DeliveryOut, _Mapping]] = ...) -> None: ...

class ResendDocumentRequest(_message.Message):
    __slots__ = ("document_id",)
    DOCUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    document_id: int
    def __init__(self, document_id: _Optional[int] = ...) -> None: ...

class ResendDocumentResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: DeliveryOut
    def __init__(self, result: _Optional[_Union[DeliveryOut, _Mapping]] = ...) -> None: ...

class ProviderHealthRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ProviderHealthResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _containers.RepeatedCompositeFieldContainer[ProviderHealthOut]
    def __init__(self, result: _Optional[_Iterable[_Union[ProviderHealthOut, _Mapping]]] = ...) -> None: ...

class PreviewEmailRequest(_message.Message):
    __slots__ = ("kind",)
    KIND_FIELD_NUMBER: _ClassVar[int]
    kind: str
    def __init__(self, kind: _Optional[str] = ...) -> None: ...

class PreviewEmailResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: EmailPreview
    def __init__(self, result: _Optional[_Union[EmailPreview, _Mapping]] = ...) -> None: ...

class PreviewDocumentRequest(_message.Message):
    __slots__ = ("kind",)
    KIND_FIELD_NUMBER: _ClassVar[int]
    kind: str
    def __init__(self, kind: _Optional[str] = ...) -> None: ...

class PreviewDocumentResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: bytes
    def __init__(self, result: _Optional[bytes] = ...) -> None: ...

class NotificationList(_message.Message):
    __slots__ = ("items", "unread", "set_fields")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    UNREAD_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[NotificationOut]
    unread: int
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, items: _Optional[_Iterable[_Union[NotificationOut, _Mapping]]] = ..., unread: _Optional[int] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class NotificationOut(_message.Message):
    __slots__ = ("id", "kind", "pool_id", "entry_id", "title", "body", "link", "created_at", "read_at", "set_fields")
    ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    LINK_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    READ_AT_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    id: int
    kind: str
    pool_id: int
    entry_id: int
    title: str
    body: str
    link: str
    created_at: str
    read_at: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[int] = ..., kind: _Optional[str] = ..., pool_id: _Optional[int] = ..., entry_id: _Optional[int] = ..., title: _Optional[str] = ..., body: _Optional[str] = ..., link: _Optional[str] = ..., created_at: _Optional[str] = ..., read_at: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class PreferenceOut(_message.Message):
    __slots__ = ("kind", "channel", "enabled", "mandatory", "default", "set_fields")
    KIND_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    MANDATORY_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    kind: str
    channel: str
    enabled: bool
    mandatory: bool
    default: bool
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, kind: _Optional[str] = ..., channel: _Optional[str] = ..., enabled: _Optional[bool] = ..., mandatory: _Optional[bool] = ..., default: _Optional[bool] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class LanguageChoice(_message.Message):
    __slots__ = ("language", "set_fields")
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    language: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, language: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class DigestChoice(_message.Message):
    __slots__ = ("frequency", "set_fields")
    FREQUENCY_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    frequency: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, frequency: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class DocumentOut(_message.Message):
    __slots__ = ("id", "kind", "pool_id", "investor_id", "title", "reference", "issued_on", "sha256", "size", "opened_at", "opens", "email_status", "email_delivery_id", "sms_status", "set_fields")
    ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    INVESTOR_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    ISSUED_ON_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    OPENED_AT_FIELD_NUMBER: _ClassVar[int]
    OPENS_FIELD_NUMBER: _ClassVar[int]
    EMAIL_STATUS_FIELD_NUMBER: _ClassVar[int]
    EMAIL_DELIVERY_ID_FIELD_NUMBER: _ClassVar[int]
    SMS_STATUS_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    id: int
    kind: str
    pool_id: int
    investor_id: int
    title: str
    reference: str
    issued_on: str
    sha256: str
    size: int
    opened_at: str
    opens: int
    email_status: str
    email_delivery_id: int
    sms_status: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[int] = ..., kind: _Optional[str] = ..., pool_id: _Optional[int] = ..., investor_id: _Optional[int] = ..., title: _Optional[str] = ..., reference: _Optional[str] = ..., issued_on: _Optional[str] = ..., sha256: _Optional[str] = ..., size: _Optional[int] = ..., opened_at: _Optional[str] = ..., opens: _Optional[int] = ..., email_status: _Optional[str] = ..., email_delivery_id: _Optional[int] = ..., sms_status: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class StatementIssueOut(_message.Message):
    __slots__ = ("pool_id", "period", "issued", "already", "set_fields")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    ISSUED_FIELD_NUMBER: _ClassVar[int]
    ALREADY_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    period: str
    issued: int
    already: int
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, pool_id: _Optional[int] = ..., period: _Optional[str] = ..., issued: _Optional[int] = ..., already: _Optional[int] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class NotificationIn(_message.Message):
    __slots__ = ("user_id", "kind", "pool_id", "entry_id", "title", "body", "link", "effective_date", "document_id", "email_to", "title_words", "body_words", "lang", "set_fields")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    LINK_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_DATE_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_TO_FIELD_NUMBER: _ClassVar[int]
    TITLE_WORDS_FIELD_NUMBER: _ClassVar[int]
    BODY_WORDS_FIELD_NUMBER: _ClassVar[int]
    LANG_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    user_id: int
    kind: str
    pool_id: int
    entry_id: int
    title: str
    body: str
    link: str
    effective_date: str
    document_id: int
    email_to: str
    title_words: Words
    body_words: Words
    lang: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, user_id: _Optional[int] = ..., kind: _Optional[str] = ..., pool_id: _Optional[int] = ..., entry_id: _Optional[int] = ..., title: _Optional[str] = ..., body: _Optional[str] = ..., link: _Optional[str] = ..., effective_date: _Optional[str] = ..., document_id: _Optional[int] = ..., email_to: _Optional[str] = ..., title_words: _Optional[_Union[Words, _Mapping]] = ..., body_words: _Optional[_Union[Words, _Mapping]] = ..., lang: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class Words(_message.Message):
    __slots__ = ("message", "values", "set_fields")
    class ValuesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: TextOrAmountOrDayOrWords
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[TextOrAmountOrDayOrWords, _Mapping]] = ...) -> None: ...
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    VALUES_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    message: str
    values: _containers.MessageMap[str, TextOrAmountOrDayOrWords]
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, message: _Optional[str] = ..., values: _Optional[_Mapping[str, TextOrAmountOrDayOrWords]] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class Amount(_message.Message):
    __slots__ = ("value", "currency", "set_fields")
    VALUE_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    value: str
    currency: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, value: _Optional[str] = ..., currency: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class Day(_message.Message):
    __slots__ = ("value", "set_fields")
    VALUE_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    value: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, value: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class DeliveryFilter(_message.Message):
    __slots__ = ("status", "channel", "kind", "search", "limit", "set_fields")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SEARCH_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    status: str
    channel: str
    kind: str
    search: str
    limit: int
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, status: _Optional[str] = ..., channel: _Optional[str] = ..., kind: _Optional[str] = ..., search: _Optional[str] = ..., limit: _Optional[int] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class DeliveryOut(_message.Message):
    __slots__ = ("id", "event_id", "user_id", "channel", "kind", "pool_id", "to_address", "subject", "status", "attempts", "next_try_at", "last_error", "created_at", "sent_at", "set_fields")
    ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    TO_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_TRY_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_ERROR_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    SENT_AT_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    id: int
    event_id: str
    user_id: int
    channel: str
    kind: str
    pool_id: int
    to_address: str
    subject: str
    status: str
    attempts: int
    next_try_at: str
    last_error: str
    created_at: str
    sent_at: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[int] = ..., event_id: _Optional[str] = ..., user_id: _Optional[int] = ..., channel: _Optional[str] = ..., kind: _Optional[str] = ..., pool_id: _Optional[int] = ..., to_address: _Optional[str] = ..., subject: _Optional[str] = ..., status: _Optional[str] = ..., attempts: _Optional[int] = ..., next_try_at: _Optional[str] = ..., last_error: _Optional[str] = ..., created_at: _Optional[str] = ..., sent_at: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class ProviderHealthOut(_message.Message):
    __slots__ = ("channel", "provider", "rate_per_second", "window_hours", "by_status", "waiting", "oldest_waiting_since", "retrying", "last_sent_at", "last_error", "verdict", "set_fields")
    class ByStatusEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    RATE_PER_SECOND_FIELD_NUMBER: _ClassVar[int]
    WINDOW_HOURS_FIELD_NUMBER: _ClassVar[int]
    BY_STATUS_FIELD_NUMBER: _ClassVar[int]
    WAITING_FIELD_NUMBER: _ClassVar[int]
    OLDEST_WAITING_SINCE_FIELD_NUMBER: _ClassVar[int]
    RETRYING_FIELD_NUMBER: _ClassVar[int]
    LAST_SENT_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_ERROR_FIELD_NUMBER: _ClassVar[int]
    VERDICT_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    channel: str
    provider: str
    rate_per_second: str
    window_hours: int
    by_status: _containers.ScalarMap[str, int]
    waiting: int
    oldest_waiting_since: str
    retrying: int
    last_sent_at: str
    last_error: str
    verdict: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, channel: _Optional[str] = ..., provider: _Optional[str] = ..., rate_per_second: _Optional[str] = ..., window_hours: _Optional[int] = ..., by_status: _Optional[_Mapping[str, int]] = ..., waiting: _Optional[int] = ..., oldest_waiting_since: _Optional[str] = ..., retrying: _Optional[int] = ..., last_sent_at: _Optional[str] = ..., last_error: _Optional[str] = ..., verdict: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class EmailPreview(_message.Message):
    __slots__ = ("kind", "subject", "text", "html", "set_fields")
    KIND_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    HTML_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    kind: str
    subject: str
    text: str
    html: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, kind: _Optional[str] = ..., subject: _Optional[str] = ..., text: _Optional[str] = ..., html: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class TextOrAmountOrDayOrWords(_message.Message):
    __slots__ = ("value_text", "value_amount", "value_day", "value_words")
    VALUE_TEXT_FIELD_NUMBER: _ClassVar[int]
    VALUE_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    VALUE_DAY_FIELD_NUMBER: _ClassVar[int]
    VALUE_WORDS_FIELD_NUMBER: _ClassVar[int]
    value_text: str
    value_amount: Amount
    value_day: Day
    value_words: Words
    def __init__(self, value_text: _Optional[str] = ..., value_amount: _Optional[_Union[Amount, _Mapping]] = ..., value_day: _Optional[_Union[Day, _Mapping]] = ..., value_words: _Optional[_Union[Words, _Mapping]] = ...) -> None: ...

class TupleDocumentOutData(_message.Message):
    __slots__ = ("item_1", "item_2")
    ITEM_1_FIELD_NUMBER: _ClassVar[int]
    ITEM_2_FIELD_NUMBER: _ClassVar[int]
    item_1: DocumentOut
    item_2: bytes
    def __init__(self, item_1: _Optional[_Union[DocumentOut, _Mapping]] = ..., item_2: _Optional[bytes] = ...) -> None: ...
