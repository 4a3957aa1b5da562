from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RecordRequest(_message.Message):
    __slots__ = ("pool_id", "request", "idempotency_key")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    request: TransactionRequest
    idempotency_key: str
    def __init__(self, pool_id: _Optional[int] = ..., request: _Optional[_Union[TransactionRequest, _Mapping]] = ..., idempotency_key: _Optional[str] = ...) -> None: ...

class RecordResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: EntryOut
    def __init__(self, result: _Optional[_Union[EntryOut, _Mapping]] = ...) -> None: ...

class RecordBatchRequest(_message.Message):
    __slots__ = ("pool_id", "requests", "idempotency_key", "dry_run")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    DRY_RUN_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    requests: _containers.RepeatedScalarFieldContainer[str]
    idempotency_key: str
    dry_run: bool
    def __init__(self, pool_id: _Optional[int] = ..., requests: _Optional[_Iterable[str]] = ..., idempotency_key: _Optional[str] = ..., dry_run: _Optional[bool] = ...) -> None: ...

class RecordBatchResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: BatchResult
    def __init__(self, result: _Optional[_Union[BatchResult, _Mapping]] = ...) -> None: ...

class CapitalCallRequest(_message.Message):
    __slots__ = ("pool_id", "request", "idempotency_key")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    request: CapitalCallRequestModel
    idempotency_key: str
    def __init__(self, pool_id: _Optional[int] = ..., request: _Optional[_Union[CapitalCallRequestModel, _Mapping]] = ..., idempotency_key: _Optional[str] = ...) -> None: ...

class CapitalCallResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: EntryOut
    def __init__(self, result: _Optional[_Union[EntryOut, _Mapping]] = ...) -> None: ...

class DistributeRequest(_message.Message):
    __slots__ = ("pool_id", "request", "idempotency_key")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    request: DistributionRequest
    idempotency_key: str
    def __init__(self, pool_id: _Optional[int] = ..., request: _Optional[_Union[DistributionRequest, _Mapping]] = ..., idempotency_key: _Optional[str] = ...) -> None: ...

class DistributeResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: EntryOut
    def __init__(self, result: _Optional[_Union[EntryOut, _Mapping]] = ...) -> None: ...

class SubsequentCloseRequest(_message.Message):
    __slots__ = ("pool_id", "request", "idempotency_key")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    request: SubsequentCloseRequestModel
    idempotency_key: str
    def __init__(self, pool_id: _Optional[int] = ..., request: _Optional[_Union[SubsequentCloseRequestModel, _Mapping]] = ..., idempotency_key: _Optional[str] = ...) -> None: ...

class SubsequentCloseResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: EntryOut
    def __init__(self, result: _Optional[_Union[EntryOut, _Mapping]] = ...) -> None: ...

class ClawbackRequest(_message.Message):
    __slots__ = ("pool_id", "request", "idempotency_key")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    request: ClawbackRequestModel
    idempotency_key: str
    def __init__(self, pool_id: _Optional[int] = ..., request: _Optional[_Union[ClawbackRequestModel, _Mapping]] = ..., idempotency_key: _Optional[str] = ...) -> None: ...

class ClawbackResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: EntryOut
    def __init__(self, result: _Optional[_Union[EntryOut, _Mapping]] = ...) -> None: ...

class RecordValuationRequest(_message.Message):
    __slots__ = ("pool_id", "request", "idempotency_key")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    request: ValuationRequest
    idempotency_key: str
    def __init__(self, pool_id: _Optional[int] = ..., request: _Optional[_Union[ValuationRequest, _Mapping]] = ..., idempotency_key: _Optional[str] = ...) -> None: ...

class RecordValuationResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: ValuationOut
    def __init__(self, result: _Optional[_Union[ValuationOut, _Mapping]] = ...) -> None: ...

class ReverseRequest(_message.Message):
    __slots__ = ("entry_id", "request", "idempotency_key")
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    entry_id: int
    request: ReversalRequest
    idempotency_key: str
    def __init__(self, entry_id: _Optional[int] = ..., request: _Optional[_Union[ReversalRequest, _Mapping]] = ..., idempotency_key: _Optional[str] = ...) -> None: ...

class ReverseResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: EntryOut
    def __init__(self, result: _Optional[_Union[EntryOut, _Mapping]] = ...) -> None: ...

class ListTransactionsRequest(_message.Message):
    __slots__ = ("pool_id", "cursor", "limit", "entry_type", "investor_id", "date_from", "date_to")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    ENTRY_TYPE_FIELD_NUMBER: _ClassVar[int]
    INVESTOR_ID_FIELD_NUMBER: _ClassVar[int]
    DATE_FROM_FIELD_NUMBER: _ClassVar[int]
    DATE_TO_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    cursor: str
    limit: int
    entry_type: str
    investor_id: int
    date_from: str
    date_to: str
    def __init__(self, pool_id: _Optional[int] = ..., cursor: _Optional[str] = ..., limit: _Optional[int] = ..., entry_type: _Optional[str] = ..., investor_id: _Optional[int] = ..., date_from: _Optional[str] = ..., date_to: _Optional[str] = ...) -> None: ...

class ListTransactionsResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: EntryPage
    def __init__(self, result: _Optional[_Union[EntryPage, _Mapping]] = ...) -> None: ...

class JournalLinesRequest(_message.Message):
    __slots__ = ("pool_id", "where")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    WHERE_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    where: JournalFilter
    def __init__(self, pool_id: _Optional[int] = ..., where: _Optional[_Union[JournalFilter, _Mapping]] = ...) -> None: ...

class JournalLinesResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _containers.RepeatedCompositeFieldContainer[JournalEntryLines]
    def __init__(self, result: _Optional[_Iterable[_Union[JournalEntryLines, _Mapping]]] = ...) -> None: ...

class JournalPageRequest(_message.Message):
    __slots__ = ("pool_id", "where", "cursor", "limit")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    WHERE_FIELD_NUMBER: _ClassVar[int]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    where: JournalFilter
    cursor: str
    limit: int
    def __init__(self, pool_id: _Optional[int] = ..., where: _Optional[_Union[JournalFilter, _Mapping]] = ..., cursor: _Optional[str] = ..., limit: _Optional[int] = ...) -> None: ...

class JournalPageResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: JournalLinesPage
    def __init__(self, result: _Optional[_Union[JournalLinesPage, _Mapping]] = ...) -> None: ...

class PoolPositionsRequest(_message.Message):
    __slots__ = ("pool_id",)
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    def __init__(self, pool_id: _Optional[int] = ...) -> None: ...

class PoolPositionsResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: PoolPositions
    def __init__(self, result: _Optional[_Union[PoolPositions, _Mapping]] = ...) -> None: ...

class InvestmentsRequest(_message.Message):
    __slots__ = ("pool_id",)
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    def __init__(self, pool_id: _Optional[int] = ...) -> None: ...

class InvestmentsResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _containers.RepeatedCompositeFieldContainer[InvestmentOut]
    def __init__(self, result: _Optional[_Iterable[_Union[InvestmentOut, _Mapping]]] = ...) -> None: ...

class HoldingsRequest(_message.Message):
    __slots__ = ("investor_id",)
    INVESTOR_ID_FIELD_NUMBER: _ClassVar[int]
    investor_id: int
    def __init__(self, investor_id: _Optional[int] = ...) -> None: ...

class HoldingsResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _containers.RepeatedCompositeFieldContainer[PositionOut]
    def __init__(self, result: _Optional[_Iterable[_Union[PositionOut, _Mapping]]] = ...) -> None: ...

class PositionRequest(_message.Message):
    __slots__ = ("investor_id", "pool_id")
    INVESTOR_ID_FIELD_NUMBER: _ClassVar[int]
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    investor_id: int
    pool_id: int
    def __init__(self, investor_id: _Optional[int] = ..., pool_id: _Optional[int] = ...) -> None: ...

class PositionResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: PositionOut
    def __init__(self, result: _Optional[_Union[PositionOut, _Mapping]] = ...) -> None: ...

class TransactionRequest(_message.Message):
    __slots__ = ("investor_id", "amount", "units", "cost", "investment", "fee_kind", "share_class", "period_start", "period_end", "override_reason", "effective_date", "memo", "type", "set_fields")
    INVESTOR_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    COST_FIELD_NUMBER: _ClassVar[int]
    INVESTMENT_FIELD_NUMBER: _ClassVar[int]
    FEE_KIND_FIELD_NUMBER: _ClassVar[int]
    SHARE_CLASS_FIELD_NUMBER: _ClassVar[int]
    PERIOD_START_FIELD_NUMBER: _ClassVar[int]
    PERIOD_END_FIELD_NUMBER: _ClassVar[int]
    OVERRIDE_REASON_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_DATE_FIELD_NUMBER: _ClassVar[int]
    MEMO_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    investor_id: int
    amount: str
    units: str
    cost: str
    investment: str
    fee_kind: str
    share_class: str
    period_start: str
    period_end: str
    override_reason: str
    effective_date: str
    memo: str
    type: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, investor_id: _Optional[int] = ..., amount: _Optional[str] = ..., units: _Optional[str] = ..., cost: _Optional[str] = ..., investment: _Optional[str] = ..., fee_kind: _Optional[str] = ..., share_class: _Optional[str] = ..., period_start: _Optional[str] = ..., period_end: _Optional[str] = ..., override_reason: _Optional[str] = ..., effective_date: _Optional[str] = ..., memo: _Optional[str] = ..., type: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class EntryOut(_message.Message):
    __slots__ = ("id", "pool_id", "seq", "entry_type", "effective_date", "memo", "created_by", "created_by_user_id", "created_at", "reverses_entry_id", "prev_hash", "hash", "postings", "details", "set_fields")
    ID_FIELD_NUMBER: _ClassVar[int]
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    SEQ_FIELD_NUMBER: _ClassVar[int]
    ENTRY_TYPE_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_DATE_FIELD_NUMBER: _ClassVar[int]
    MEMO_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_USER_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    REVERSES_ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    PREV_HASH_FIELD_NUMBER: _ClassVar[int]
    HASH_FIELD_NUMBER: _ClassVar[int]
    POSTINGS_FIELD_NUMBER: _ClassVar[int]
    DETAILS_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    id: int
    pool_id: int
    seq: int
    entry_type: str
    effective_date: str
    memo: str
    created_by: str
    created_by_user_id: int
    created_at: str
    reverses_entry_id: int
    prev_hash: str
    hash: str
    postings: _containers.RepeatedCompositeFieldContainer[PostingOut]
    details: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[int] = ..., pool_id: _Optional[int] = ..., seq: _Optional[int] = ..., entry_type: _Optional[str] = ..., effective_date: _Optional[str] = ..., memo: _Optional[str] = ..., created_by: _Optional[str] = ..., created_by_user_id: _Optional[int] = ..., created_at: _Optional[str] = ..., reverses_entry_id: _Optional[int] = ..., prev_hash: _Optional[str] = ..., hash: _Optional[str] = ..., postings: _Optional[_Iterable[_Union[PostingOut, _Mapping]]] = ..., details: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class PostingOut(_message.Message):
    __slots__ = ("account_id", "account", "investor_id", "commodity", "amount", "set_fields")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    INVESTOR_ID_FIELD_NUMBER: _ClassVar[int]
    COMMODITY_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    account_id: int
    account: str
    investor_id: int
    commodity: str
    amount: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, account_id: _Optional[int] = ..., account: _Optional[str] = ..., investor_id: _Optional[int] = ..., commodity: _Optional[str] = ..., amount: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class BatchResult(_message.Message):
    __slots__ = ("pool_id", "rows", "entries", "postings", "first_seq", "last_seq", "last_hash", "ledger_version", "entry_ids", "set_fields")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    POSTINGS_FIELD_NUMBER: _ClassVar[int]
    FIRST_SEQ_FIELD_NUMBER: _ClassVar[int]
    LAST_SEQ_FIELD_NUMBER: _ClassVar[int]
    LAST_HASH_FIELD_NUMBER: _ClassVar[int]
    LEDGER_VERSION_FIELD_NUMBER: _ClassVar[int]
    ENTRY_IDS_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    rows: int
    entries: int
    postings: int
    first_seq: int
    last_seq: int
    last_hash: str
    ledger_version: int
    entry_ids: _containers.RepeatedCompositeFieldContainer[MaybeInt]
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, pool_id: _Optional[int] = ..., rows: _Optional[int] = ..., entries: _Optional[int] = ..., postings: _Optional[int] = ..., first_seq: _Optional[int] = ..., last_seq: _Optional[int] = ..., last_hash: _Optional[str] = ..., ledger_version: _Optional[int] = ..., entry_ids: _Optional[_Iterable[_Union[MaybeInt, _Mapping]]] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class CapitalCallRequestModel(_message.Message):
    __slots__ = ("amount", "percent_of_commitment", "due_date", "effective_date", "memo", "set_fields")
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    PERCENT_OF_COMMITMENT_FIELD_NUMBER: _ClassVar[int]
    DUE_DATE_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_DATE_FIELD_NUMBER: _ClassVar[int]
    MEMO_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    amount: str
    percent_of_commitment: str
    due_date: str
    effective_date: str
    memo: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, amount: _Optional[str] = ..., percent_of_commitment: _Optional[str] = ..., due_date: _Optional[str] = ..., effective_date: _Optional[str] = ..., memo: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class DistributionRequest(_message.Message):
    __slots__ = ("amount", "effective_date", "mode", "memo", "recallable", "deemed_contribution", "investment", "final_realisation", "set_fields")
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_DATE_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    MEMO_FIELD_NUMBER: _ClassVar[int]
    RECALLABLE_FIELD_NUMBER: _ClassVar[int]
    DEEMED_CONTRIBUTION_FIELD_NUMBER: _ClassVar[int]
    INVESTMENT_FIELD_NUMBER: _ClassVar[int]
    FINAL_REALISATION_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    amount: str
    effective_date: str
    mode: str
    memo: str
    recallable: bool
    deemed_contribution: bool
    investment: str
    final_realisation: bool
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, amount: _Optional[str] = ..., effective_date: _Optional[str] = ..., mode: _Optional[str] = ..., memo: _Optional[str] = ..., recallable: _Optional[bool] = ..., deemed_contribution: _Optional[bool] = ..., investment: _Optional[str] = ..., final_realisation: _Optional[bool] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class SubsequentCloseRequestModel(_message.Message):
    __slots__ = ("closing_date", "payment_date", "memo", "set_fields")
    CLOSING_DATE_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_DATE_FIELD_NUMBER: _ClassVar[int]
    MEMO_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    closing_date: str
    payment_date: str
    memo: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, closing_date: _Optional[str] = ..., payment_date: _Optional[str] = ..., memo: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class ClawbackRequestModel(_message.Message):
    __slots__ = ("effective_date", "interim", "memo", "set_fields")
    EFFECTIVE_DATE_FIELD_NUMBER: _ClassVar[int]
    INTERIM_FIELD_NUMBER: _ClassVar[int]
    MEMO_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    effective_date: str
    interim: bool
    memo: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, effective_date: _Optional[str] = ..., interim: _Optional[bool] = ..., memo: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class ValuationRequest(_message.Message):
    __slots__ = ("as_of", "net_asset_value", "memo", "fx_rates", "hedge_results", "set_fields")
    class FxRatesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class HedgeResultsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    NET_ASSET_VALUE_FIELD_NUMBER: _ClassVar[int]
    MEMO_FIELD_NUMBER: _ClassVar[int]
    FX_RATES_FIELD_NUMBER: _ClassVar[int]
    HEDGE_RESULTS_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    as_of: str
    net_asset_value: str
    memo: str
    fx_rates: _containers.ScalarMap[str, str]
    hedge_results: _containers.ScalarMap[str, str]
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, as_of: _Optional[str] = ..., net_asset_value: _Optional[str] = ..., memo: _Optional[str] = ..., fx_rates: _Optional[_Mapping[str, str]] = ..., hedge_results: _Optional[_Mapping[str, str]] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class ValuationOut(_message.Message):
    __slots__ = ("pool_id", "as_of", "net_asset_value", "nav_per_unit", "entry", "set_fields")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    NET_ASSET_VALUE_FIELD_NUMBER: _ClassVar[int]
    NAV_PER_UNIT_FIELD_NUMBER: _ClassVar[int]
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    as_of: str
    net_asset_value: str
    nav_per_unit: str
    entry: EntryOut
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, pool_id: _Optional[int] = ..., as_of: _Optional[str] = ..., net_asset_value: _Optional[str] = ..., nav_per_unit: _Optional[str] = ..., entry: _Optional[_Union[EntryOut, _Mapping]] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class ReversalRequest(_message.Message):
    __slots__ = ("effective_date", "memo", "set_fields")
    EFFECTIVE_DATE_FIELD_NUMBER: _ClassVar[int]
    MEMO_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    effective_date: str
    memo: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, effective_date: _Optional[str] = ..., memo: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class EntryPage(_message.Message):
    __slots__ = ("entries", "next_cursor", "set_fields")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_CURSOR_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[EntryOut]
    next_cursor: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, entries: _Optional[_Iterable[_Union[EntryOut, _Mapping]]] = ..., next_cursor: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class JournalFilter(_message.Message):
    __slots__ = ("entry_type", "investor_id", "date_from", "date_to", "lines_of", "prices", "set_fields")
    ENTRY_TYPE_FIELD_NUMBER: _ClassVar[int]
    INVESTOR_ID_FIELD_NUMBER: _ClassVar[int]
    DATE_FROM_FIELD_NUMBER: _ClassVar[int]
    DATE_TO_FIELD_NUMBER: _ClassVar[int]
    LINES_OF_FIELD_NUMBER: _ClassVar[int]
    PRICES_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    entry_type: str
    investor_id: int
    date_from: str
    date_to: str
    lines_of: int
    prices: bool
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, entry_type: _Optional[str] = ..., investor_id: _Optional[int] = ..., date_from: _Optional[str] = ..., date_to: _Optional[str] = ..., lines_of: _Optional[int] = ..., prices: _Optional[bool] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class JournalEntryLines(_message.Message):
    __slots__ = ("id", "seq", "entry_type", "effective_date", "memo", "reverses_entry_id", "created_by", "created_at", "hash", "lines", "nav_per_unit", "set_fields")
    ID_FIELD_NUMBER: _ClassVar[int]
    SEQ_FIELD_NUMBER: _ClassVar[int]
    ENTRY_TYPE_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_DATE_FIELD_NUMBER: _ClassVar[int]
    MEMO_FIELD_NUMBER: _ClassVar[int]
    REVERSES_ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    HASH_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    NAV_PER_UNIT_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    id: int
    seq: int
    entry_type: str
    effective_date: str
    memo: str
    reverses_entry_id: int
    created_by: str
    created_at: str
    hash: str
    lines: _containers.RepeatedCompositeFieldContainer[TupleTextMaybeIntTextText]
    nav_per_unit: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[int] = ..., seq: _Optional[int] = ..., entry_type: _Optional[str] = ..., effective_date: _Optional[str] = ..., memo: _Optional[str] = ..., reverses_entry_id: _Optional[int] = ..., created_by: _Optional[str] = ..., created_at: _Optional[str] = ..., hash: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[TupleTextMaybeIntTextText, _Mapping]]] = ..., nav_per_unit: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class JournalLinesPage(_message.Message):
    __slots__ = ("entries", "next_cursor", "set_fields")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_CURSOR_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[JournalEntryLines]
    next_cursor: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, entries: _Optional[_Iterable[_Union[JournalEntryLines, _Mapping]]] = ..., next_cursor: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class PoolPositions(_message.Message):
    __slots__ = ("pool_id", "currency", "net_asset_value", "units_outstanding", "nav_per_unit", "rounding_residue", "ledger_version", "positions", "share_classes", "set_fields")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    NET_ASSET_VALUE_FIELD_NUMBER: _ClassVar[int]
    UNITS_OUTSTANDING_FIELD_NUMBER: _ClassVar[int]
    NAV_PER_UNIT_FIELD_NUMBER: _ClassVar[int]
    ROUNDING_RESIDUE_FIELD_NUMBER: _ClassVar[int]
    LEDGER_VERSION_FIELD_NUMBER: _ClassVar[int]
    POSITIONS_FIELD_NUMBER: _ClassVar[int]
    SHARE_CLASSES_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    currency: str
    net_asset_value: str
    units_outstanding: str
    nav_per_unit: str
    rounding_residue: str
    ledger_version: int
    positions: _containers.RepeatedCompositeFieldContainer[PositionOut]
    share_classes: _containers.RepeatedCompositeFieldContainer[ShareClassOut]
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, pool_id: _Optional[int] = ..., currency: _Optional[str] = ..., net_asset_value: _Optional[str] = ..., units_outstanding: _Optional[str] = ..., nav_per_unit: _Optional[str] = ..., rounding_residue: _Optional[str] = ..., ledger_version: _Optional[int] = ..., positions: _Optional[_Iterable[_Union[PositionOut, _Mapping]]] = ..., share_classes: _Optional[_Iterable[_Union[ShareClassOut, _Mapping]]] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class PositionOut(_message.Message):
    __slots__ = ("pool_id", "investor_id", "currency", "units", "value", "contributed", "distributed", "fees", "committed", "called", "recallable", "unfunded_commitment", "overdue", "in_default", "share_class", "nav_per_unit", "nav_per_unit_currency", "set_fields")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    INVESTOR_ID_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    CONTRIBUTED_FIELD_NUMBER: _ClassVar[int]
    DISTRIBUTED_FIELD_NUMBER: _ClassVar[int]
    FEES_FIELD_NUMBER: _ClassVar[int]
    COMMITTED_FIELD_NUMBER: _ClassVar[int]
    CALLED_FIELD_NUMBER: _ClassVar[int]
    RECALLABLE_FIELD_NUMBER: _ClassVar[int]
    UNFUNDED_COMMITMENT_FIELD_NUMBER: _ClassVar[int]
    OVERDUE_FIELD_NUMBER: _ClassVar[int]
    IN_DEFAULT_FIELD_NUMBER: _ClassVar[int]
    SHARE_CLASS_FIELD_NUMBER: _ClassVar[int]
    NAV_PER_UNIT_FIELD_NUMBER: _ClassVar[int]
    NAV_PER_UNIT_CURRENCY_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    investor_id: int
    currency: str
    units: str
    value: str
    contributed: str
    distributed: str
    fees: str
    committed: str
    called: str
    recallable: str
    unfunded_commitment: str
    overdue: str
    in_default: bool
    share_class: str
    nav_per_unit: str
    nav_per_unit_currency: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, pool_id: _Optional[int] = ..., investor_id: _Optional[int] = ..., currency: _Optional[str] = ..., units: _Optional[str] = ..., value: _Optional[str] = ..., contributed: _Optional[str] = ..., distributed: _Optional[str] = ..., fees: _Optional[str] = ..., committed: _Optional[str] = ..., called: _Optional[str] = ..., recallable: _Optional[str] = ..., unfunded_commitment: _Optional[str] = ..., overdue: _Optional[str] = ..., in_default: _Optional[bool] = ..., share_class: _Optional[str] = ..., nav_per_unit: _Optional[str] = ..., nav_per_unit_currency: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class ShareClassOut(_message.Message):
    __slots__ = ("class_id", "currency", "hedged", "units", "net_asset_value", "nav_per_unit", "fx_rate", "class_currency_net_asset_value", "holders", "management_fee_rate", "performance_fee_rate", "high_water_mark", "set_fields")
    CLASS_ID_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    HEDGED_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    NET_ASSET_VALUE_FIELD_NUMBER: _ClassVar[int]
    NAV_PER_UNIT_FIELD_NUMBER: _ClassVar[int]
    FX_RATE_FIELD_NUMBER: _ClassVar[int]
    CLASS_CURRENCY_NET_ASSET_VALUE_FIELD_NUMBER: _ClassVar[int]
    HOLDERS_FIELD_NUMBER: _ClassVar[int]
    MANAGEMENT_FEE_RATE_FIELD_NUMBER: _ClassVar[int]
    PERFORMANCE_FEE_RATE_FIELD_NUMBER: _ClassVar[int]
    HIGH_WATER_MARK_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    class_id: str
    currency: str
    hedged: bool
    units: str
    net_asset_value: str
    nav_per_unit: str
    fx_rate: str
    class_currency_net_asset_value: str
    holders: int
    management_fee_rate: str
    performance_fee_rate: str
    high_water_mark: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, class_id: _Optional[str] = ..., currency: _Optional[str] = ..., hedged: _Optional[bool] = ..., units: _Optional[str] = ..., net_asset_value: _Optional[str] = ..., nav_per_unit: _Optional[str] = ..., fx_rate: _Optional[str] = ..., class_currency_net_asset_value: _Optional[str] = ..., holders: _Optional[int] = ..., management_fee_rate: _Optional[str] = ..., performance_fee_rate: _Optional[str] = ..., high_water_mark: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class InvestmentOut(_message.Message):
    __slots__ = ("name", "cost", "cost_sold", "cost_held", "proceeds", "realised_gain", "first_bought", "last_sold", "set_fields")
    NAME_FIELD_NUMBER: _ClassVar[int]
    COST_FIELD_NUMBER: _ClassVar[int]
    COST_SOLD_FIELD_NUMBER: _ClassVar[int]
    COST_HELD_FIELD_NUMBER: _ClassVar[int]
    PROCEEDS_FIELD_NUMBER: _ClassVar[int]
    REALISED_GAIN_FIELD_NUMBER: _ClassVar[int]
    FIRST_BOUGHT_FIELD_NUMBER: _ClassVar[int]
    LAST_SOLD_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    name: str
    cost: str
    cost_sold: str
    cost_held: str
    proceeds: str
    realised_gain: str
    first_bought: str
    last_sold: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, name: _Optional[str] = ..., cost: _Optional[str] = ..., cost_sold: _Optional[str] = ..., cost_held: _Optional[str] = ..., proceeds: _Optional[str] = ..., realised_gain: _Optional[str] = ..., first_bought: _Optional[str] = ..., last_sold: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class MaybeInt(_message.Message):
    __slots__ = ("value",)
    VALUE_FIELD_NUMBER: _ClassVar[int]
    value: int
    def __init__(self, value: _Optional[int] = ...) -> None: ...

class TupleTextMaybeIntTextText(_message.Message):
    __slots__ = ("item_1", "item_2", "item_3", "item_4")
    ITEM_1_FIELD_NUMBER: _ClassVar[int]
    ITEM_2_FIELD_NUMBER: _ClassVar[int]
    ITEM_3_FIELD_NUMBER: _ClassVar[int]
    ITEM_4_FIELD_NUMBER: _ClassVar[int]
    item_1: str
    item_2: int
    item_3: str
    item_4: str
    def __init__(self, item_1: _Optional[str] = ..., item_2: _Optional[int] = ..., item_3: _Optional[str] = ..., item_4: _Optional[str] = ...) -> None: ...
