from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class OpenRequestsForCallRequest(_message.Message):
    __slots__ = ("pool_id", "entry_id", "due_date", "allocation", "currency")
    class AllocationEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: int
        value: str
        def __init__(self, key: _Optional[int] = ..., value: _Optional[str] = ...) -> None: ...
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    DUE_DATE_FIELD_NUMBER: _ClassVar[int]
    ALLOCATION_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    entry_id: int
    due_date: str
    allocation: _containers.ScalarMap[int, str]
    currency: str
    def __init__(self, pool_id: _Optional[int] = ..., entry_id: _Optional[int] = ..., due_date: _Optional[str] = ..., allocation: _Optional[_Mapping[int, str]] = ..., currency: _Optional[str] = ...) -> None: ...

class OpenRequestsForCallResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: int
    def __init__(self, result: _Optional[int] = ...) -> None: ...

class MirrorBookContributionRequest(_message.Message):
    __slots__ = ("pool_id", "investor_id", "entry_id", "amount", "on")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    INVESTOR_ID_FIELD_NUMBER: _ClassVar[int]
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    ON_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    investor_id: int
    entry_id: int
    amount: str
    on: str
    def __init__(self, pool_id: _Optional[int] = ..., investor_id: _Optional[int] = ..., entry_id: _Optional[int] = ..., amount: _Optional[str] = ..., on: _Optional[str] = ...) -> None: ...

class MirrorBookContributionResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: int
    def __init__(self, result: _Optional[int] = ...) -> None: ...

class MirrorBookReversalRequest(_message.Message):
    __slots__ = ("reversed_entry_id", "why")
    REVERSED_ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    WHY_FIELD_NUMBER: _ClassVar[int]
    reversed_entry_id: int
    why: str
    def __init__(self, reversed_entry_id: _Optional[int] = ..., why: _Optional[str] = ...) -> None: ...

class MirrorBookReversalResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: int
    def __init__(self, result: _Optional[int] = ...) -> None: ...

class ListRequestsRequest(_message.Message):
    __slots__ = ("pool_id", "status")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    status: str
    def __init__(self, pool_id: _Optional[int] = ..., status: _Optional[str] = ...) -> None: ...

class ListRequestsResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _containers.RepeatedCompositeFieldContainer[PaymentRequestOut]
    def __init__(self, result: _Optional[_Iterable[_Union[PaymentRequestOut, _Mapping]]] = ...) -> None: ...

class GetRequestRequest(_message.Message):
    __slots__ = ("request_id",)
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    request_id: int
    def __init__(self, request_id: _Optional[int] = ...) -> None: ...

class GetRequestResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: PaymentRequestOut
    def __init__(self, result: _Optional[_Union[PaymentRequestOut, _Mapping]] = ...) -> None: ...

class ListPaymentsRequest(_message.Message):
    __slots__ = ("request_id",)
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    request_id: int
    def __init__(self, request_id: _Optional[int] = ...) -> None: ...

class ListPaymentsResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _containers.RepeatedCompositeFieldContainer[PaymentOut]
    def __init__(self, result: _Optional[_Iterable[_Union[PaymentOut, _Mapping]]] = ...) -> None: ...

class PaymentHistoryRequest(_message.Message):
    __slots__ = ("pool_id", "awaiting_approval")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    AWAITING_APPROVAL_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    awaiting_approval: bool
    def __init__(self, pool_id: _Optional[int] = ..., awaiting_approval: _Optional[bool] = ...) -> None: ...

class PaymentHistoryResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _containers.RepeatedCompositeFieldContainer[PaymentOut]
    def __init__(self, result: _Optional[_Iterable[_Union[PaymentOut, _Mapping]]] = ...) -> None: ...

class GatewayHealthRequest(_message.Message):
    __slots__ = ("window_hours",)
    WINDOW_HOURS_FIELD_NUMBER: _ClassVar[int]
    window_hours: int
    def __init__(self, window_hours: _Optional[int] = ...) -> None: ...

class GatewayHealthResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: GatewayHealthOut
    def __init__(self, result: _Optional[_Union[GatewayHealthOut, _Mapping]] = ...) -> None: ...

class RecordWireRequest(_message.Message):
    __slots__ = ("wire",)
    WIRE_FIELD_NUMBER: _ClassVar[int]
    wire: WireIn
    def __init__(self, wire: _Optional[_Union[WireIn, _Mapping]] = ...) -> None: ...

class RecordWireResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: PaymentOut
    def __init__(self, result: _Optional[_Union[PaymentOut, _Mapping]] = ...) -> None: ...

class DecideWireRequest(_message.Message):
    __slots__ = ("payment_id", "decision")
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    payment_id: int
    decision: WireApproval
    def __init__(self, payment_id: _Optional[int] = ..., decision: _Optional[_Union[WireApproval, _Mapping]] = ...) -> None: ...

class DecideWireResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: PaymentOut
    def __init__(self, result: _Optional[_Union[PaymentOut, _Mapping]] = ...) -> None: ...

class SetCollectionAccountRequest(_message.Message):
    __slots__ = ("pool_id", "account")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    account: CollectionAccountIn
    def __init__(self, pool_id: _Optional[int] = ..., account: _Optional[_Union[CollectionAccountIn, _Mapping]] = ...) -> None: ...

class SetCollectionAccountResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: CollectionAccountOut
    def __init__(self, result: _Optional[_Union[CollectionAccountOut, _Mapping]] = ...) -> None: ...

class CollectionAccountRequest(_message.Message):
    __slots__ = ("pool_id",)
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    def __init__(self, pool_id: _Optional[int] = ...) -> None: ...

class CollectionAccountResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: CollectionAccountOut
    def __init__(self, result: _Optional[_Union[CollectionAccountOut, _Mapping]] = ...) -> None: ...

class PoolBankDetailsRequest(_message.Message):
    __slots__ = ("pool_id",)
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    def __init__(self, pool_id: _Optional[int] = ...) -> None: ...

class PoolBankDetailsResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: PoolBankDetails
    def __init__(self, result: _Optional[_Union[PoolBankDetails, _Mapping]] = ...) -> None: ...

class WireInstructionsRequest(_message.Message):
    __slots__ = ("request_id",)
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    request_id: int
    def __init__(self, request_id: _Optional[int] = ...) -> None: ...

class WireInstructionsResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: WireInstructions
    def __init__(self, result: _Optional[_Union[WireInstructions, _Mapping]] = ...) -> None: ...

class ImportStatementRequest(_message.Message):
    __slots__ = ("pool_id", "upload")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    UPLOAD_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    upload: StatementUpload
    def __init__(self, pool_id: _Optional[int] = ..., upload: _Optional[_Union[StatementUpload, _Mapping]] = ...) -> None: ...

class ImportStatementResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: StatementImportOut
    def __init__(self, result: _Optional[_Union[StatementImportOut, _Mapping]] = ...) -> None: ...

class StatementLinesRequest(_message.Message):
    __slots__ = ("pool_id", "status")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    status: str
    def __init__(self, pool_id: _Optional[int] = ..., status: _Optional[str] = ...) -> None: ...

class StatementLinesResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _containers.RepeatedCompositeFieldContainer[StatementLineOut]
    def __init__(self, result: _Optional[_Iterable[_Union[StatementLineOut, _Mapping]]] = ...) -> None: ...

class MatchStatementLineRequest(_message.Message):
    __slots__ = ("line_id", "match")
    LINE_ID_FIELD_NUMBER: _ClassVar[int]
    MATCH_FIELD_NUMBER: _ClassVar[int]
    line_id: int
    match: ManualMatchIn
    def __init__(self, line_id: _Optional[int] = ..., match: _Optional[_Union[ManualMatchIn, _Mapping]] = ...) -> None: ...

class MatchStatementLineResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: PaymentOut
    def __init__(self, result: _Optional[_Union[PaymentOut, _Mapping]] = ...) -> None: ...

class OpenPayoutsForEntryRequest(_message.Message):
    __slots__ = ("pool_id", "entry_id", "on", "kind", "shares", "currency")
    class SharesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: int
        value: str
        def __init__(self, key: _Optional[int] = ..., value: _Optional[str] = ...) -> None: ...
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    ON_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SHARES_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    entry_id: int
    on: str
    kind: str
    shares: _containers.ScalarMap[int, str]
    currency: str
    def __init__(self, pool_id: _Optional[int] = ..., entry_id: _Optional[int] = ..., on: _Optional[str] = ..., kind: _Optional[str] = ..., shares: _Optional[_Mapping[int, str]] = ..., currency: _Optional[str] = ...) -> None: ...

class OpenPayoutsForEntryResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: int
    def __init__(self, result: _Optional[int] = ...) -> None: ...

class ClosePayoutHistoryRequest(_message.Message):
    __slots__ = ("up_to", "why", "pool_id")
    UP_TO_FIELD_NUMBER: _ClassVar[int]
    WHY_FIELD_NUMBER: _ClassVar[int]
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    up_to: str
    why: str
    pool_id: int
    def __init__(self, up_to: _Optional[str] = ..., why: _Optional[str] = ..., pool_id: _Optional[int] = ...) -> None: ...

class ClosePayoutHistoryResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: int
    def __init__(self, result: _Optional[int] = ...) -> None: ...

class PayoutAccountsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class PayoutAccountsResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _containers.RepeatedCompositeFieldContainer[PayoutAccountOut]
    def __init__(self, result: _Optional[_Iterable[_Union[PayoutAccountOut, _Mapping]]] = ...) -> None: ...

class RequestPayoutAccountRequest(_message.Message):
    __slots__ = ("account",)
    ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    account: PayoutAccountIn
    def __init__(self, account: _Optional[_Union[PayoutAccountIn, _Mapping]] = ...) -> None: ...

class RequestPayoutAccountResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: PayoutAccountOut
    def __init__(self, result: _Optional[_Union[PayoutAccountOut, _Mapping]] = ...) -> None: ...

class ConfirmPayoutAccountRequest(_message.Message):
    __slots__ = ("account_id", "code")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    account_id: int
    code: PayoutAccountCode
    def __init__(self, account_id: _Optional[int] = ..., code: _Optional[_Union[PayoutAccountCode, _Mapping]] = ...) -> None: ...

class ConfirmPayoutAccountResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: PayoutAccountOut
    def __init__(self, result: _Optional[_Union[PayoutAccountOut, _Mapping]] = ...) -> None: ...

class PendingPayoutAccountsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class PendingPayoutAccountsResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _containers.RepeatedCompositeFieldContainer[PayoutAccountOut]
    def __init__(self, result: _Optional[_Iterable[_Union[PayoutAccountOut, _Mapping]]] = ...) -> None: ...

class DecidePayoutAccountRequest(_message.Message):
    __slots__ = ("account_id", "decision")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    account_id: int
    decision: AccountDecision
    def __init__(self, account_id: _Optional[int] = ..., decision: _Optional[_Union[AccountDecision, _Mapping]] = ...) -> None: ...

class DecidePayoutAccountResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: PayoutAccountOut
    def __init__(self, result: _Optional[_Union[PayoutAccountOut, _Mapping]] = ...) -> None: ...

class ListPayoutsRequest(_message.Message):
    __slots__ = ("pool_id",)
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    def __init__(self, pool_id: _Optional[int] = ...) -> None: ...

class ListPayoutsResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _containers.RepeatedCompositeFieldContainer[PayoutOut]
    def __init__(self, result: _Optional[_Iterable[_Union[PayoutOut, _Mapping]]] = ...) -> None: ...

class ReleasePayoutRequest(_message.Message):
    __slots__ = ("payout_id",)
    PAYOUT_ID_FIELD_NUMBER: _ClassVar[int]
    payout_id: int
    def __init__(self, payout_id: _Optional[int] = ...) -> None: ...

class ReleasePayoutResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: PayoutOut
    def __init__(self, result: _Optional[_Union[PayoutOut, _Mapping]] = ...) -> None: ...

class CreatePayoutFileRequest(_message.Message):
    __slots__ = ("pool_id", "request")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    request: PayoutFileIn
    def __init__(self, pool_id: _Optional[int] = ..., request: _Optional[_Union[PayoutFileIn, _Mapping]] = ...) -> None: ...

class CreatePayoutFileResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: TuplePayoutBatchOutData
    def __init__(self, result: _Optional[_Union[TuplePayoutBatchOutData, _Mapping]] = ...) -> None: ...

class PayoutFileRequest(_message.Message):
    __slots__ = ("batch_id",)
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    batch_id: int
    def __init__(self, batch_id: _Optional[int] = ...) -> None: ...

class PayoutFileResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: bytes
    def __init__(self, result: _Optional[bytes] = ...) -> None: ...

class SendPayoutsThroughGatewayRequest(_message.Message):
    __slots__ = ("pool_id",)
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    def __init__(self, pool_id: _Optional[int] = ...) -> None: ...

class SendPayoutsThroughGatewayResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _containers.RepeatedCompositeFieldContainer[PayoutOut]
    def __init__(self, result: _Optional[_Iterable[_Union[PayoutOut, _Mapping]]] = ...) -> None: ...

class ResumePayoutTransfersRequest(_message.Message):
    __slots__ = ("older_than",)
    OLDER_THAN_FIELD_NUMBER: _ClassVar[int]
    older_than: str
    def __init__(self, older_than: _Optional[str] = ...) -> None: ...

class ResumePayoutTransfersResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: int
    def __init__(self, result: _Optional[int] = ...) -> None: ...

class ReconcileRequest(_message.Message):
    __slots__ = ("on",)
    ON_FIELD_NUMBER: _ClassVar[int]
    on: str
    def __init__(self, on: _Optional[str] = ...) -> None: ...

class ReconcileResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: ReconciliationOut
    def __init__(self, result: _Optional[_Union[ReconciliationOut, _Mapping]] = ...) -> None: ...

class RunReconciliationRequest(_message.Message):
    __slots__ = ("on",)
    ON_FIELD_NUMBER: _ClassVar[int]
    on: str
    def __init__(self, on: _Optional[str] = ...) -> None: ...

class RunReconciliationResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: ReconciliationOut
    def __init__(self, result: _Optional[_Union[ReconciliationOut, _Mapping]] = ...) -> None: ...

class ReconciliationRequest(_message.Message):
    __slots__ = ("on",)
    ON_FIELD_NUMBER: _ClassVar[int]
    on: str
    def __init__(self, on: _Optional[str] = ...) -> None: ...

class ReconciliationResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: ReconciliationOut
    def __init__(self, result: _Optional[_Union[ReconciliationOut, _Mapping]] = ...) -> None: ...

class PaymentMethodsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class PaymentMethodsResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _containers.RepeatedCompositeFieldContainer[SavedMethodOut]
    def __init__(self, result: _Optional[_Iterable[_Union[SavedMethodOut, _Mapping]]] = ...) -> None: ...

class AddPaymentMethodRequest(_message.Message):
    __slots__ = ("method",)
    METHOD_FIELD_NUMBER: _ClassVar[int]
    method: MethodIn
    def __init__(self, method: _Optional[_Union[MethodIn, _Mapping]] = ...) -> None: ...

class AddPaymentMethodResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: SavedMethodOut
    def __init__(self, result: _Optional[_Union[SavedMethodOut, _Mapping]] = ...) -> None: ...

class RemovePaymentMethodRequest(_message.Message):
    __slots__ = ("method",)
    METHOD_FIELD_NUMBER: _ClassVar[int]
    method: MethodIn
    def __init__(self, method: _Optional[_Union[MethodIn, _Mapping]] = ...) -> None: ...

class RemovePaymentMethodResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class PayRequest(_message.Message):
    __slots__ = ("request_id", "payment", "idempotency_key")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    request_id: int
    payment: PayIn
    idempotency_key: str
    def __init__(self, request_id: _Optional[int] = ..., payment: _Optional[_Union[PayIn, _Mapping]] = ..., idempotency_key: _Optional[str] = ...) -> None: ...

class PayResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: PaymentOut
    def __init__(self, result: _Optional[_Union[PaymentOut, _Mapping]] = ...) -> None: ...

class RefundPaymentRequest(_message.Message):
    __slots__ = ("payment_id", "refund", "idempotency_key")
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    REFUND_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    payment_id: int
    refund: RefundIn
    idempotency_key: str
    def __init__(self, payment_id: _Optional[int] = ..., refund: _Optional[_Union[RefundIn, _Mapping]] = ..., idempotency_key: _Optional[str] = ...) -> None: ...

class RefundPaymentResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: PaymentOut
    def __init__(self, result: _Optional[_Union[PaymentOut, _Mapping]] = ...) -> None: ...

class ResumeGatewayAttemptsRequest(_message.Message):
    __slots__ = ("older_than",)
    OLDER_THAN_FIELD_NUMBER: _ClassVar[int]
    older_than: str
    def __init__(self, older_than: _Optional[str] = ...) -> None: ...

class ResumeGatewayAttemptsResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: int
    def __init__(self, result: _Optional[int] = ...) -> None: ...

class ApplyWebhookRequest(_message.Message):
    __slots__ = ("body", "signature")
    BODY_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    body: bytes
    signature: str
    def __init__(self, body: _Optional[bytes] = ..., signature: _Optional[str] = ...) -> None: ...

class ApplyWebhookResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: WebhookOutcome
    def __init__(self, result: _Optional[_Union[WebhookOutcome, _Mapping]] = ...) -> None: ...

class SendPaymentRemindersRequest(_message.Message):
    __slots__ = ("on",)
    ON_FIELD_NUMBER: _ClassVar[int]
    on: str
    def __init__(self, on: _Optional[str] = ...) -> None: ...

class SendPaymentRemindersResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: int
    def __init__(self, result: _Optional[int] = ...) -> None: ...

class ResealBankDetailsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ResealBankDetailsResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: int
    def __init__(self, result: _Optional[int] = ...) -> None: ...

class PostContributionsRequest(_message.Message):
    __slots__ = ("payment_id",)
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    payment_id: int
    def __init__(self, payment_id: _Optional[int] = ...) -> None: ...

class PostContributionsResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: int
    def __init__(self, result: _Optional[int] = ...) -> None: ...

class PaymentRequestOut(_message.Message):
    __slots__ = ("id", "pool_id", "investor_id", "kind", "source_entry_id", "reference", "currency", "amount_due", "amount_received", "credit", "due_date", "status", "overdue", "created_at", "set_fields")
    ID_FIELD_NUMBER: _ClassVar[int]
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    INVESTOR_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SOURCE_ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_DUE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_RECEIVED_FIELD_NUMBER: _ClassVar[int]
    CREDIT_FIELD_NUMBER: _ClassVar[int]
    DUE_DATE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    OVERDUE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    id: int
    pool_id: int
    investor_id: int
    kind: str
    source_entry_id: int
    reference: str
    currency: str
    amount_due: str
    amount_received: str
    credit: str
    due_date: str
    status: str
    overdue: bool
    created_at: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[int] = ..., pool_id: _Optional[int] = ..., investor_id: _Optional[int] = ..., kind: _Optional[str] = ..., source_entry_id: _Optional[int] = ..., reference: _Optional[str] = ..., currency: _Optional[str] = ..., amount_due: _Optional[str] = ..., amount_received: _Optional[str] = ..., credit: _Optional[str] = ..., due_date: _Optional[str] = ..., status: _Optional[str] = ..., overdue: _Optional[bool] = ..., created_at: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class PaymentOut(_message.Message):
    __slots__ = ("id", "request_id", "pool_id", "investor_id", "rail", "amount", "currency", "status", "gateway_payment_id", "bank_reference", "applied", "credit", "ledger_entry_id", "recorded_by_user_id", "approved_by_user_id", "awaiting_approval", "failure_reason", "value_date", "created_at", "updated_at", "set_fields")
    ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    INVESTOR_ID_FIELD_NUMBER: _ClassVar[int]
    RAIL_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    GATEWAY_PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    BANK_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    APPLIED_FIELD_NUMBER: _ClassVar[int]
    CREDIT_FIELD_NUMBER: _ClassVar[int]
    LEDGER_ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    RECORDED_BY_USER_ID_FIELD_NUMBER: _ClassVar[int]
    APPROVED_BY_USER_ID_FIELD_NUMBER: _ClassVar[int]
    AWAITING_APPROVAL_FIELD_NUMBER: _ClassVar[int]
    FAILURE_REASON_FIELD_NUMBER: _ClassVar[int]
    VALUE_DATE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    id: int
    request_id: int
    pool_id: int
    investor_id: int
    rail: str
    amount: str
    currency: str
    status: str
    gateway_payment_id: str
    bank_reference: str
    applied: str
    credit: str
    ledger_entry_id: int
    recorded_by_user_id: int
    approved_by_user_id: int
    awaiting_approval: bool
    failure_reason: str
    value_date: str
    created_at: str
    updated_at: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[int] = ..., request_id: _Optional[int] = ..., pool_id: _Optional[int] = ..., investor_id: _Optional[int] = ..., rail: _Optional[str] = ..., amount: _Optional[str] = ..., currency: _Optional[str] = ..., status: _Optional[str] = ..., gateway_payment_id: _Optional[str] = ..., bank_reference: _Optional[str] = ..., applied: _Optional[str] = ..., credit: _Optional[str] = ..., ledger_entry_id: _Optional[int] = ..., recorded_by_user_id: _Optional[int] = ..., approved_by_user_id: _Optional[int] = ..., awaiting_approval: _Optional[bool] = ..., failure_reason: _Optional[str] = ..., value_date: _Optional[str] = ..., created_at: _Optional[str] = ..., updated_at: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class GatewayHealthOut(_message.Message):
    __slots__ = ("window_hours", "events", "ignored", "events_by_type", "last_event_at", "last_event_type", "stuck_attempts", "books_behind", "awaiting_approval", "unmatched_lines", "set_fields")
    class EventsByTypeEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    WINDOW_HOURS_FIELD_NUMBER: _ClassVar[int]
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    IGNORED_FIELD_NUMBER: _ClassVar[int]
    EVENTS_BY_TYPE_FIELD_NUMBER: _ClassVar[int]
    LAST_EVENT_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    STUCK_ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    BOOKS_BEHIND_FIELD_NUMBER: _ClassVar[int]
    AWAITING_APPROVAL_FIELD_NUMBER: _ClassVar[int]
    UNMATCHED_LINES_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    window_hours: int
    events: int
    ignored: int
    events_by_type: _containers.ScalarMap[str, int]
    last_event_at: str
    last_event_type: str
    stuck_attempts: int
    books_behind: int
    awaiting_approval: int
    unmatched_lines: int
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, window_hours: _Optional[int] = ..., events: _Optional[int] = ..., ignored: _Optional[int] = ..., events_by_type: _Optional[_Mapping[str, int]] = ..., last_event_at: _Optional[str] = ..., last_event_type: _Optional[str] = ..., stuck_attempts: _Optional[int] = ..., books_behind: _Optional[int] = ..., awaiting_approval: _Optional[int] = ..., unmatched_lines: _Optional[int] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class WireIn(_message.Message):
    __slots__ = ("request_id", "amount", "value_date", "bank_reference", "set_fields")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    VALUE_DATE_FIELD_NUMBER: _ClassVar[int]
    BANK_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    request_id: int
    amount: str
    value_date: str
    bank_reference: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, request_id: _Optional[int] = ..., amount: _Optional[str] = ..., value_date: _Optional[str] = ..., bank_reference: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class WireApproval(_message.Message):
    __slots__ = ("approve", "reason", "set_fields")
    APPROVE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    approve: bool
    reason: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, approve: _Optional[bool] = ..., reason: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class CollectionAccountIn(_message.Message):
    __slots__ = ("account_name", "iban", "bic", "set_fields")
    ACCOUNT_NAME_FIELD_NUMBER: _ClassVar[int]
    IBAN_FIELD_NUMBER: _ClassVar[int]
    BIC_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    account_name: str
    iban: str
    bic: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, account_name: _Optional[str] = ..., iban: _Optional[str] = ..., bic: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class CollectionAccountOut(_message.Message):
    __slots__ = ("pool_id", "account_name", "iban_masked", "bic", "updated_at", "set_fields")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_NAME_FIELD_NUMBER: _ClassVar[int]
    IBAN_MASKED_FIELD_NUMBER: _ClassVar[int]
    BIC_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    account_name: str
    iban_masked: str
    bic: str
    updated_at: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, pool_id: _Optional[int] = ..., account_name: _Optional[str] = ..., iban_masked: _Optional[str] = ..., bic: _Optional[str] = ..., updated_at: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class PoolBankDetails(_message.Message):
    __slots__ = ("account_name", "iban", "bic", "set_fields")
    ACCOUNT_NAME_FIELD_NUMBER: _ClassVar[int]
    IBAN_FIELD_NUMBER: _ClassVar[int]
    BIC_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    account_name: str
    iban: str
    bic: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, account_name: _Optional[str] = ..., iban: _Optional[str] = ..., bic: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class WireInstructions(_message.Message):
    __slots__ = ("request_id", "beneficiary", "iban", "bic", "reference", "amount", "currency", "due_date", "set_fields")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    BENEFICIARY_FIELD_NUMBER: _ClassVar[int]
    IBAN_FIELD_NUMBER: _ClassVar[int]
    BIC_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    DUE_DATE_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    request_id: int
    beneficiary: str
    iban: str
    bic: str
    reference: str
    amount: str
    currency: str
    due_date: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, request_id: _Optional[int] = ..., beneficiary: _Optional[str] = ..., iban: _Optional[str] = ..., bic: _Optional[str] = ..., reference: _Optional[str] = ..., amount: _Optional[str] = ..., currency: _Optional[str] = ..., due_date: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class StatementUpload(_message.Message):
    __slots__ = ("format", "filename", "content_base64", "set_fields")
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    FILENAME_FIELD_NUMBER: _ClassVar[int]
    CONTENT_BASE64_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    format: str
    filename: str
    content_base64: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, format: _Optional[str] = ..., filename: _Optional[str] = ..., content_base64: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class StatementImportOut(_message.Message):
    __slots__ = ("import_id", "pool_id", "filename", "lines", "duplicates", "matched", "returned", "unmatched", "ignored", "results", "set_fields")
    IMPORT_ID_FIELD_NUMBER: _ClassVar[int]
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    FILENAME_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    DUPLICATES_FIELD_NUMBER: _ClassVar[int]
    MATCHED_FIELD_NUMBER: _ClassVar[int]
    RETURNED_FIELD_NUMBER: _ClassVar[int]
    UNMATCHED_FIELD_NUMBER: _ClassVar[int]
    IGNORED_FIELD_NUMBER: _ClassVar[int]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    import_id: int
    pool_id: int
    filename: str
    lines: int
    duplicates: int
    matched: int
    returned: int
    unmatched: int
    ignored: int
    results: _containers.RepeatedCompositeFieldContainer[StatementLineOut]
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, import_id: _Optional[int] = ..., pool_id: _Optional[int] = ..., filename: _Optional[str] = ..., lines: _Optional[int] = ..., duplicates: _Optional[int] = ..., matched: _Optional[int] = ..., returned: _Optional[int] = ..., unmatched: _Optional[int] = ..., ignored: _Optional[int] = ..., results: _Optional[_Iterable[_Union[StatementLineOut, _Mapping]]] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class StatementLineOut(_message.Message):
    __slots__ = ("id", "import_id", "pool_id", "entry_reference", "booking_date", "value_date", "amount", "currency", "direction", "is_return", "remittance", "payer_name", "counterparty_account", "line", "status", "reason", "payment_id", "payout_id", "set_fields")
    ID_FIELD_NUMBER: _ClassVar[int]
    IMPORT_ID_FIELD_NUMBER: _ClassVar[int]
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    ENTRY_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    BOOKING_DATE_FIELD_NUMBER: _ClassVar[int]
    VALUE_DATE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    DIRECTION_FIELD_NUMBER: _ClassVar[int]
    IS_RETURN_FIELD_NUMBER: _ClassVar[int]
    REMITTANCE_FIELD_NUMBER: _ClassVar[int]
    PAYER_NAME_FIELD_NUMBER: _ClassVar[int]
    COUNTERPARTY_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    LINE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    PAYOUT_ID_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    id: int
    import_id: int
    pool_id: int
    entry_reference: str
    booking_date: str
    value_date: str
    amount: str
    currency: str
    direction: str
    is_return: bool
    remittance: str
    payer_name: str
    counterparty_account: str
    line: int
    status: str
    reason: str
    payment_id: int
    payout_id: int
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[int] = ..., import_id: _Optional[int] = ..., pool_id: _Optional[int] = ..., entry_reference: _Optional[str] = ..., booking_date: _Optional[str] = ..., value_date: _Optional[str] = ..., amount: _Optional[str] = ..., currency: _Optional[str] = ..., direction: _Optional[str] = ..., is_return: _Optional[bool] = ..., remittance: _Optional[str] = ..., payer_name: _Optional[str] = ..., counterparty_account: _Optional[str] = ..., line: _Optional[int] = ..., status: _Optional[str] = ..., reason: _Optional[str] = ..., payment_id: _Optional[int] = ..., payout_id: _Optional[int] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class ManualMatchIn(_message.Message):
    __slots__ = ("request_id", "set_fields")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    request_id: int
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, request_id: _Optional[int] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class PayoutAccountOut(_message.Message):
    __slots__ = ("id", "investor_id", "account_name", "iban_masked", "bic", "country", "status", "requested_at", "code_expires_at", "confirmed_at", "verified_at", "held_until", "set_fields")
    ID_FIELD_NUMBER: _ClassVar[int]
    INVESTOR_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_NAME_FIELD_NUMBER: _ClassVar[int]
    IBAN_MASKED_FIELD_NUMBER: _ClassVar[int]
    BIC_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_AT_FIELD_NUMBER: _ClassVar[int]
    CODE_EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    CONFIRMED_AT_FIELD_NUMBER: _ClassVar[int]
    VERIFIED_AT_FIELD_NUMBER: _ClassVar[int]
    HELD_UNTIL_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    id: int
    investor_id: int
    account_name: str
    iban_masked: str
    bic: str
    country: str
    status: str
    requested_at: str
    code_expires_at: str
    confirmed_at: str
    verified_at: str
    held_until: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[int] = ..., investor_id: _Optional[int] = ..., account_name: _Optional[str] = ..., iban_masked: _Optional[str] = ..., bic: _Optional[str] = ..., country: _Optional[str] = ..., status: _Optional[str] = ..., requested_at: _Optional[str] = ..., code_expires_at: _Optional[str] = ..., confirmed_at: _Optional[str] = ..., verified_at: _Optional[str] = ..., held_until: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class PayoutAccountIn(_message.Message):
    __slots__ = ("account_name", "iban", "bic", "password", "set_fields")
    ACCOUNT_NAME_FIELD_NUMBER: _ClassVar[int]
    IBAN_FIELD_NUMBER: _ClassVar[int]
    BIC_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    account_name: str
    iban: str
    bic: str
    password: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, account_name: _Optional[str] = ..., iban: _Optional[str] = ..., bic: _Optional[str] = ..., password: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class PayoutAccountCode(_message.Message):
    __slots__ = ("code", "set_fields")
    CODE_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    code: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, code: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class AccountDecision(_message.Message):
    __slots__ = ("verify", "note", "set_fields")
    VERIFY_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    verify: bool
    note: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, verify: _Optional[bool] = ..., note: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class PayoutOut(_message.Message):
    __slots__ = ("id", "pool_id", "investor_id", "source_entry_id", "effective_date", "kind", "amount", "currency", "status", "hold_reason", "end_to_end_id", "rail", "gateway_transfer_id", "batch_id", "created_at", "updated_at", "set_fields")
    ID_FIELD_NUMBER: _ClassVar[int]
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    INVESTOR_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_DATE_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    HOLD_REASON_FIELD_NUMBER: _ClassVar[int]
    END_TO_END_ID_FIELD_NUMBER: _ClassVar[int]
    RAIL_FIELD_NUMBER: _ClassVar[int]
    GATEWAY_TRANSFER_ID_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    id: int
    pool_id: int
    investor_id: int
    source_entry_id: int
    effective_date: str
    kind: str
    amount: str
    currency: str
    status: str
    hold_reason: str
    end_to_end_id: str
    rail: str
    gateway_transfer_id: str
    batch_id: int
    created_at: str
    updated_at: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[int] = ..., pool_id: _Optional[int] = ..., investor_id: _Optional[int] = ..., source_entry_id: _Optional[int] = ..., effective_date: _Optional[str] = ..., kind: _Optional[str] = ..., amount: _Optional[str] = ..., currency: _Optional[str] = ..., status: _Optional[str] = ..., hold_reason: _Optional[str] = ..., end_to_end_id: _Optional[str] = ..., rail: _Optional[str] = ..., gateway_transfer_id: _Optional[str] = ..., batch_id: _Optional[int] = ..., created_at: _Optional[str] = ..., updated_at: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class PayoutFileIn(_message.Message):
    __slots__ = ("execution_date", "set_fields")
    EXECUTION_DATE_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    execution_date: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, execution_date: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class PayoutBatchOut(_message.Message):
    __slots__ = ("id", "pool_id", "message_id", "execution_date", "payouts", "total", "currency", "created_at", "set_fields")
    ID_FIELD_NUMBER: _ClassVar[int]
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    EXECUTION_DATE_FIELD_NUMBER: _ClassVar[int]
    PAYOUTS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    id: int
    pool_id: int
    message_id: str
    execution_date: str
    payouts: int
    total: str
    currency: str
    created_at: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[int] = ..., pool_id: _Optional[int] = ..., message_id: _Optional[str] = ..., execution_date: _Optional[str] = ..., payouts: _Optional[int] = ..., total: _Optional[str] = ..., currency: _Optional[str] = ..., created_at: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class ReconciliationOut(_message.Message):
    __slots__ = ("run_id", "on_date", "created_at", "gateway_entries", "statement_lines", "payments_checked", "gateway_error", "differences", "set_fields")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    ON_DATE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    GATEWAY_ENTRIES_FIELD_NUMBER: _ClassVar[int]
    STATEMENT_LINES_FIELD_NUMBER: _ClassVar[int]
    PAYMENTS_CHECKED_FIELD_NUMBER: _ClassVar[int]
    GATEWAY_ERROR_FIELD_NUMBER: _ClassVar[int]
    DIFFERENCES_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    run_id: int
    on_date: str
    created_at: str
    gateway_entries: int
    statement_lines: int
    payments_checked: int
    gateway_error: str
    differences: _containers.RepeatedCompositeFieldContainer[ReconciliationDifferenceOut]
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, run_id: _Optional[int] = ..., on_date: _Optional[str] = ..., created_at: _Optional[str] = ..., gateway_entries: _Optional[int] = ..., statement_lines: _Optional[int] = ..., payments_checked: _Optional[int] = ..., gateway_error: _Optional[str] = ..., differences: _Optional[_Iterable[_Union[ReconciliationDifferenceOut, _Mapping]]] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class ReconciliationDifferenceOut(_message.Message):
    __slots__ = ("kind", "pool_id", "payment_id", "source", "amount", "currency", "detail", "action", "set_fields")
    KIND_FIELD_NUMBER: _ClassVar[int]
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    kind: str
    pool_id: int
    payment_id: int
    source: str
    amount: str
    currency: str
    detail: str
    action: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, kind: _Optional[str] = ..., pool_id: _Optional[int] = ..., payment_id: _Optional[int] = ..., source: _Optional[str] = ..., amount: _Optional[str] = ..., currency: _Optional[str] = ..., detail: _Optional[str] = ..., action: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class SavedMethodOut(_message.Message):
    __slots__ = ("token", "kind", "label", "set_fields")
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    token: str
    kind: str
    label: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, token: _Optional[str] = ..., kind: _Optional[str] = ..., label: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class MethodIn(_message.Message):
    __slots__ = ("token", "set_fields")
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    token: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, token: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class PayIn(_message.Message):
    __slots__ = ("method", "set_fields")
    METHOD_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    method: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, method: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class RefundIn(_message.Message):
    __slots__ = ("amount", "reason", "set_fields")
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    amount: str
    reason: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, amount: _Optional[str] = ..., reason: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class WebhookOutcome(_message.Message):
    __slots__ = ("event_id", "duplicate", "payment_id", "status", "ignored", "set_fields")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    IGNORED_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    duplicate: bool
    payment_id: int
    status: str
    ignored: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, event_id: _Optional[str] = ..., duplicate: _Optional[bool] = ..., payment_id: _Optional[int] = ..., status: _Optional[str] = ..., ignored: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class TuplePayoutBatchOutData(_message.Message):
    __slots__ = ("item_1", "item_2")
    ITEM_1_FIELD_NUMBER: _ClassVar[int]
    ITEM_2_FIELD_NUMBER: _ClassVar[int]
    item_1: PayoutBatchOut
    item_2: bytes
    def __init__(self, item_1: _Optional[_Union[PayoutBatchOut, _Mapping]] = ..., item_2: _Optional[bytes] = ...) -> None: ...
