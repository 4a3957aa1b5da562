from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TransactionRequest(_message.Message):
    __slots__ = ("pool_id", "request")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    request: TransactionRequestModel
    def __init__(self, pool_id: _Optional[int] = ..., request: _Optional[_Union[TransactionRequestModel, _Mapping]] = ...) -> None: ...

class TransactionResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: Preview
    def __init__(self, result: _Optional[_Union[Preview, _Mapping]] = ...) -> None: ...

class CapitalCallRequest(_message.Message):
    __slots__ = ("pool_id", "request", "today")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    TODAY_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    request: CapitalCallRequestModel
    today: str
    def __init__(self, pool_id: _Optional[int] = ..., request: _Optional[_Union[CapitalCallRequestModel, _Mapping]] = ..., today: _Optional[str] = ...) -> None: ...

class CapitalCallResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: Preview
    def __init__(self, result: _Optional[_Union[Preview, _Mapping]] = ...) -> None: ...

class DistributionRequest(_message.Message):
    __slots__ = ("pool_id", "request")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    request: DistributionRequestModel
    def __init__(self, pool_id: _Optional[int] = ..., request: _Optional[_Union[DistributionRequestModel, _Mapping]] = ...) -> None: ...

class DistributionResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: Preview
    def __init__(self, result: _Optional[_Union[Preview, _Mapping]] = ...) -> None: ...

class SubsequentCloseRequest(_message.Message):
    __slots__ = ("pool_id", "request")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    request: SubsequentCloseRequestModel
    def __init__(self, pool_id: _Optional[int] = ..., request: _Optional[_Union[SubsequentCloseRequestModel, _Mapping]] = ...) -> None: ...

class SubsequentCloseResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: Preview
    def __init__(self, result: _Optional[_Union[Preview, _Mapping]] = ...) -> None: ...

class ClawbackRequest(_message.Message):
    __slots__ = ("pool_id", "request")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    request: ClawbackRequestModel
    def __init__(self, pool_id: _Optional[int] = ..., request: _Optional[_Union[ClawbackRequestModel, _Mapping]] = ...) -> None: ...

class ClawbackResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: Preview
    def __init__(self, result: _Optional[_Union[Preview, _Mapping]] = ...) -> None: ...

class ValuationRequest(_message.Message):
    __slots__ = ("pool_id", "request")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    request: ValuationRequestModel
    def __init__(self, pool_id: _Optional[int] = ..., request: _Optional[_Union[ValuationRequestModel, _Mapping]] = ...) -> None: ...

class ValuationResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: Preview
    def __init__(self, result: _Optional[_Union[Preview, _Mapping]] = ...) -> None: ...

class ReversalRequest(_message.Message):
    __slots__ = ("pool_id", "entry_id")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    entry_id: int
    def __init__(self, pool_id: _Optional[int] = ..., entry_id: _Optional[int] = ...) -> None: ...

class ReversalResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: Preview
    def __init__(self, result: _Optional[_Union[Preview, _Mapping]] = ...) -> None: ...

class TransactionRequestModel(_message.Message):
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

class Preview(_message.Message):
    __slots__ = ("pool_id", "currency", "entry_type", "effective_date", "lines", "details", "ledger_version", "set_fields")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    ENTRY_TYPE_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_DATE_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    DETAILS_FIELD_NUMBER: _ClassVar[int]
    LEDGER_VERSION_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    currency: str
    entry_type: str
    effective_date: str
    lines: _containers.RepeatedCompositeFieldContainer[PreviewLine]
    details: str
    ledger_version: int
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, pool_id: _Optional[int] = ..., currency: _Optional[str] = ..., entry_type: _Optional[str] = ..., effective_date: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[PreviewLine, _Mapping]]] = ..., details: _Optional[str] = ..., ledger_version: _Optional[int] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class PreviewLine(_message.Message):
    __slots__ = ("account", "investor_id", "amount", "set_fields")
    ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    INVESTOR_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    account: str
    investor_id: int
    amount: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, account: _Optional[str] = ..., investor_id: _Optional[int] = ..., amount: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

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

class DistributionRequestModel(_message.Message):
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

class ValuationRequestModel(_message.Message):
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
