from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PoolPerformanceRequest(_message.Message):
    __slots__ = ("pool_id", "as_of", "start", "end")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    as_of: str
    start: str
    end: str
    def __init__(self, pool_id: _Optional[int] = ..., as_of: _Optional[str] = ..., start: _Optional[str] = ..., end: _Optional[str] = ...) -> None: ...

class PoolPerformanceResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: PoolPerformance
    def __init__(self, result: _Optional[_Union[PoolPerformance, _Mapping]] = ...) -> None: ...

class NavHistoryRequest(_message.Message):
    __slots__ = ("pool_id", "start", "end", "frequency")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    FREQUENCY_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    start: str
    end: str
    frequency: str
    def __init__(self, pool_id: _Optional[int] = ..., start: _Optional[str] = ..., end: _Optional[str] = ..., frequency: _Optional[str] = ...) -> None: ...

class NavHistoryResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: NavHistory
    def __init__(self, result: _Optional[_Union[NavHistory, _Mapping]] = ...) -> None: ...

class InvestorPerformanceRequest(_message.Message):
    __slots__ = ("investor_id", "as_of")
    INVESTOR_ID_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    investor_id: int
    as_of: str
    def __init__(self, investor_id: _Optional[int] = ..., as_of: _Optional[str] = ...) -> None: ...

class InvestorPerformanceResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: InvestorPerformance
    def __init__(self, result: _Optional[_Union[InvestorPerformance, _Mapping]] = ...) -> None: ...

class StatementRequest(_message.Message):
    __slots__ = ("investor_id", "pool_id", "period", "start", "end")
    INVESTOR_ID_FIELD_NUMBER: _ClassVar[int]
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    investor_id: int
    pool_id: int
    period: str
    start: str
    end: str
    def __init__(self, investor_id: _Optional[int] = ..., pool_id: _Optional[int] = ..., period: _Optional[str] = ..., start: _Optional[str] = ..., end: _Optional[str] = ...) -> None: ...

class StatementResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: CapitalAccountStatement
    def __init__(self, result: _Optional[_Union[CapitalAccountStatement, _Mapping]] = ...) -> None: ...

class StatementXlsxRequest(_message.Message):
    __slots__ = ("statement",)
    STATEMENT_FIELD_NUMBER: _ClassVar[int]
    statement: CapitalAccountStatement
    def __init__(self, statement: _Optional[_Union[CapitalAccountStatement, _Mapping]] = ...) -> None: ...

class StatementXlsxResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: bytes
    def __init__(self, result: _Optional[bytes] = ...) -> None: ...

class RecomputablePoolsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class RecomputablePoolsResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, result: _Optional[_Iterable[int]] = ...) -> None: ...

class RecomputableRequest(_message.Message):
    __slots__ = ("pool_id",)
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    def __init__(self, pool_id: _Optional[int] = ...) -> None: ...

class RecomputableResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: bool
    def __init__(self, result: _Optional[bool] = ...) -> None: ...

class ComputePoolPerformanceRequest(_message.Message):
    __slots__ = ("pool_poolout", "pool_int", "as_of", "start", "end", "fresh")
    POOL_POOLOUT_FIELD_NUMBER: _ClassVar[int]
    POOL_INT_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    FRESH_FIELD_NUMBER: _ClassVar[int]
    pool_poolout: PoolOut
    pool_int: int
    as_of: str
    start: str
    end: str
    fresh: bool
    def __init__(self, pool_poolout: _Optional[_Union[PoolOut, _Mapping]] = ..., pool_int: _Optional[int] = ..., as_of: _Optional[str] = ..., start: _Optional[str] = ..., end: _Optional[str] = ..., fresh: _Optional[bool] = ...) -> None: ...

class ComputePoolPerformanceResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: PoolPerformance
    def __init__(self, result: _Optional[_Union[PoolPerformance, _Mapping]] = ...) -> None: ...

class ComputeInvestorPerformanceRequest(_message.Message):
    __slots__ = ("investor_id", "pool_ids", "as_of")
    INVESTOR_ID_FIELD_NUMBER: _ClassVar[int]
    POOL_IDS_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    investor_id: int
    pool_ids: _containers.RepeatedScalarFieldContainer[int]
    as_of: str
    def __init__(self, investor_id: _Optional[int] = ..., pool_ids: _Optional[_Iterable[int]] = ..., as_of: _Optional[str] = ...) -> None: ...

class ComputeInvestorPerformanceResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: InvestorPerformance
    def __init__(self, result: _Optional[_Union[InvestorPerformance, _Mapping]] = ...) -> None: ...

class ComputeStatementRequest(_message.Message):
    __slots__ = ("investor_id", "pool_id", "period", "start", "end")
    INVESTOR_ID_FIELD_NUMBER: _ClassVar[int]
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    investor_id: int
    pool_id: int
    period: str
    start: str
    end: str
    def __init__(self, investor_id: _Optional[int] = ..., pool_id: _Optional[int] = ..., period: _Optional[str] = ..., start: _Optional[str] = ..., end: _Optional[str] = ...) -> None: ...

class ComputeStatementResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: CapitalAccountStatement
    def __init__(self, result: _Optional[_Union[CapitalAccountStatement, _Mapping]] = ...) -> None: ...

class CreateBenchmarkRequest(_message.Message):
    __slots__ = ("request",)
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    request: BenchmarkCreate
    def __init__(self, request: _Optional[_Union[BenchmarkCreate, _Mapping]] = ...) -> None: ...

class CreateBenchmarkResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: BenchmarkOut
    def __init__(self, result: _Optional[_Union[BenchmarkOut, _Mapping]] = ...) -> None: ...

class ListBenchmarksRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListBenchmarksResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _containers.RepeatedCompositeFieldContainer[BenchmarkOut]
    def __init__(self, result: _Optional[_Iterable[_Union[BenchmarkOut, _Mapping]]] = ...) -> None: ...

class GetBenchmarkRequest(_message.Message):
    __slots__ = ("benchmark_id",)
    BENCHMARK_ID_FIELD_NUMBER: _ClassVar[int]
    benchmark_id: int
    def __init__(self, benchmark_id: _Optional[int] = ...) -> None: ...

class GetBenchmarkResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: BenchmarkOut
    def __init__(self, result: _Optional[_Union[BenchmarkOut, _Mapping]] = ...) -> None: ...

class LoadLevelsRequest(_message.Message):
    __slots__ = ("benchmark_id", "request")
    BENCHMARK_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    benchmark_id: int
    request: BenchmarkLevelsIn
    def __init__(self, benchmark_id: _Optional[int] = ..., request: _Optional[_Union[BenchmarkLevelsIn, _Mapping]] = ...) -> None: ...

class LoadLevelsResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: LevelsLoaded
    def __init__(self, result: _Optional[_Union[LevelsLoaded, _Mapping]] = ...) -> None: ...

class LevelsRequest(_message.Message):
    __slots__ = ("benchmark_id", "start", "end")
    BENCHMARK_ID_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    benchmark_id: int
    start: str
    end: str
    def __init__(self, benchmark_id: _Optional[int] = ..., start: _Optional[str] = ..., end: _Optional[str] = ...) -> None: ...

class LevelsResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _containers.RepeatedCompositeFieldContainer[BenchmarkLevelOut]
    def __init__(self, result: _Optional[_Iterable[_Union[BenchmarkLevelOut, _Mapping]]] = ...) -> None: ...

class SetPoolBenchmarkRequest(_message.Message):
    __slots__ = ("pool_id", "benchmark_id")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    BENCHMARK_ID_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    benchmark_id: int
    def __init__(self, pool_id: _Optional[int] = ..., benchmark_id: _Optional[int] = ...) -> None: ...

class SetPoolBenchmarkResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: PoolBenchmarkOut
    def __init__(self, result: _Optional[_Union[PoolBenchmarkOut, _Mapping]] = ...) -> None: ...

class PoolBenchmarkRequest(_message.Message):
    __slots__ = ("pool_id",)
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    def __init__(self, pool_id: _Optional[int] = ...) -> None: ...

class PoolBenchmarkResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: PoolBenchmarkOut
    def __init__(self, result: _Optional[_Union[PoolBenchmarkOut, _Mapping]] = ...) -> None: ...

class LoadFxRatesRequest(_message.Message):
    __slots__ = ("request_fxratesin", "request_text")
    REQUEST_FXRATESIN_FIELD_NUMBER: _ClassVar[int]
    REQUEST_TEXT_FIELD_NUMBER: _ClassVar[int]
    request_fxratesin: FxRatesIn
    request_text: str
    def __init__(self, request_fxratesin: _Optional[_Union[FxRatesIn, _Mapping]] = ..., request_text: _Optional[str] = ...) -> None: ...

class LoadFxRatesResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: FxRatesLoaded
    def __init__(self, result: _Optional[_Union[FxRatesLoaded, _Mapping]] = ...) -> None: ...

class ListFxRatesRequest(_message.Message):
    __slots__ = ("start", "end", "currencies")
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    CURRENCIES_FIELD_NUMBER: _ClassVar[int]
    start: str
    end: str
    currencies: TextList
    def __init__(self, start: _Optional[str] = ..., end: _Optional[str] = ..., currencies: _Optional[_Union[TextList, _Mapping]] = ...) -> None: ...

class ListFxRatesResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _containers.RepeatedCompositeFieldContainer[FxRateOut]
    def __init__(self, result: _Optional[_Iterable[_Union[FxRateOut, _Mapping]]] = ...) -> None: ...

class FxRatesInForceRequest(_message.Message):
    __slots__ = ("on",)
    ON_FIELD_NUMBER: _ClassVar[int]
    on: str
    def __init__(self, on: _Optional[str] = ...) -> None: ...

class FxRatesInForceResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _containers.RepeatedCompositeFieldContainer[FxRateOut]
    def __init__(self, result: _Optional[_Iterable[_Union[FxRateOut, _Mapping]]] = ...) -> None: ...

class FxQuotesRequest(_message.Message):
    __slots__ = ("wanted", "to_currency")
    WANTED_FIELD_NUMBER: _ClassVar[int]
    TO_CURRENCY_FIELD_NUMBER: _ClassVar[int]
    wanted: _containers.RepeatedCompositeFieldContainer[TupleTextText]
    to_currency: str
    def __init__(self, wanted: _Optional[_Iterable[_Union[TupleTextText, _Mapping]]] = ..., to_currency: _Optional[str] = ...) -> None: ...

class FxQuotesResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: FxQuotes
    def __init__(self, result: _Optional[_Union[FxQuotes, _Mapping]] = ...) -> None: ...

class PoolPerformance(_message.Message):
    __slots__ = ("pool_id", "kind", "currency", "as_of", "start", "end", "method", "net_asset_value", "value", "accrued_carried_interest", "gross_net_asset_value", "gross_value", "units_outstanding", "nav_per_unit", "twr", "twr_annualised", "periods", "risk", "money_weighted", "benchmark", "entries", "last_valuation_date", "share_classes", "set_fields")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    NET_ASSET_VALUE_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    ACCRUED_CARRIED_INTEREST_FIELD_NUMBER: _ClassVar[int]
    GROSS_NET_ASSET_VALUE_FIELD_NUMBER: _ClassVar[int]
    GROSS_VALUE_FIELD_NUMBER: _ClassVar[int]
    UNITS_OUTSTANDING_FIELD_NUMBER: _ClassVar[int]
    NAV_PER_UNIT_FIELD_NUMBER: _ClassVar[int]
    TWR_FIELD_NUMBER: _ClassVar[int]
    TWR_ANNUALISED_FIELD_NUMBER: _ClassVar[int]
    PERIODS_FIELD_NUMBER: _ClassVar[int]
    RISK_FIELD_NUMBER: _ClassVar[int]
    MONEY_WEIGHTED_FIELD_NUMBER: _ClassVar[int]
    BENCHMARK_FIELD_NUMBER: _ClassVar[int]
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    LAST_VALUATION_DATE_FIELD_NUMBER: _ClassVar[int]
    SHARE_CLASSES_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    kind: str
    currency: str
    as_of: str
    start: str
    end: str
    method: str
    net_asset_value: str
    value: str
    accrued_carried_interest: str
    gross_net_asset_value: str
    gross_value: str
    units_outstanding: str
    nav_per_unit: str
    twr: float
    twr_annualised: float
    periods: _containers.RepeatedCompositeFieldContainer[PeriodReturn]
    risk: Risk
    money_weighted: MoneyWeighted
    benchmark: BenchmarkComparison
    entries: int
    last_valuation_date: str
    share_classes: _containers.RepeatedCompositeFieldContainer[ClassPerformance]
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, pool_id: _Optional[int] = ..., kind: _Optional[str] = ..., currency: _Optional[str] = ..., as_of: _Optional[str] = ..., start: _Optional[str] = ..., end: _Optional[str] = ..., method: _Optional[str] = ..., net_asset_value: _Optional[str] = ..., value: _Optional[str] = ..., accrued_carried_interest: _Optional[str] = ..., gross_net_asset_value: _Optional[str] = ..., gross_value: _Optional[str] = ..., units_outstanding: _Optional[str] = ..., nav_per_unit: _Optional[str] = ..., twr: _Optional[float] = ..., twr_annualised: _Optional[float] = ..., periods: _Optional[_Iterable[_Union[PeriodReturn, _Mapping]]] = ..., risk: _Optional[_Union[Risk, _Mapping]] = ..., money_weighted: _Optional[_Union[MoneyWeighted, _Mapping]] = ..., benchmark: _Optional[_Union[BenchmarkComparison, _Mapping]] = ..., entries: _Optional[int] = ..., last_valuation_date: _Optional[str] = ..., share_classes: _Optional[_Iterable[_Union[ClassPerformance, _Mapping]]] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class PeriodReturn(_message.Message):
    __slots__ = ("name", "start", "end", "days", "cumulative", "annualised", "partial", "no_valuation", "set_fields")
    NAME_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    DAYS_FIELD_NUMBER: _ClassVar[int]
    CUMULATIVE_FIELD_NUMBER: _ClassVar[int]
    ANNUALISED_FIELD_NUMBER: _ClassVar[int]
    PARTIAL_FIELD_NUMBER: _ClassVar[int]
    NO_VALUATION_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    name: str
    start: str
    end: str
    days: int
    cumulative: float
    annualised: float
    partial: bool
    no_valuation: bool
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, name: _Optional[str] = ..., start: _Optional[str] = ..., end: _Optional[str] = ..., days: _Optional[int] = ..., cumulative: _Optional[float] = ..., annualised: _Optional[float] = ..., partial: _Optional[bool] = ..., no_valuation: _Optional[bool] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class Risk(_message.Message):
    __slots__ = ("frequency", "observations", "volatility", "sharpe", "sortino", "drawdown", "set_fields")
    FREQUENCY_FIELD_NUMBER: _ClassVar[int]
    OBSERVATIONS_FIELD_NUMBER: _ClassVar[int]
    VOLATILITY_FIELD_NUMBER: _ClassVar[int]
    SHARPE_FIELD_NUMBER: _ClassVar[int]
    SORTINO_FIELD_NUMBER: _ClassVar[int]
    DRAWDOWN_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    frequency: str
    observations: int
    volatility: float
    sharpe: float
    sortino: float
    drawdown: Drawdown
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, frequency: _Optional[str] = ..., observations: _Optional[int] = ..., volatility: _Optional[float] = ..., sharpe: _Optional[float] = ..., sortino: _Optional[float] = ..., drawdown: _Optional[_Union[Drawdown, _Mapping]] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class Drawdown(_message.Message):
    __slots__ = ("max_drawdown", "peak_date", "trough_date", "recovery_date", "set_fields")
    MAX_DRAWDOWN_FIELD_NUMBER: _ClassVar[int]
    PEAK_DATE_FIELD_NUMBER: _ClassVar[int]
    TROUGH_DATE_FIELD_NUMBER: _ClassVar[int]
    RECOVERY_DATE_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    max_drawdown: float
    peak_date: str
    trough_date: str
    recovery_date: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, max_drawdown: _Optional[float] = ..., peak_date: _Optional[str] = ..., trough_date: _Optional[str] = ..., recovery_date: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class MoneyWeighted(_message.Message):
    __slots__ = ("paid_in", "received", "value", "irr", "tvpi", "dpi", "rvpi", "carried_interest_paid", "accrued_carried_interest", "gross_value", "gross_irr", "gross_tvpi", "gross_dpi", "gross_rvpi", "set_fields")
    PAID_IN_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    IRR_FIELD_NUMBER: _ClassVar[int]
    TVPI_FIELD_NUMBER: _ClassVar[int]
    DPI_FIELD_NUMBER: _ClassVar[int]
    RVPI_FIELD_NUMBER: _ClassVar[int]
    CARRIED_INTEREST_PAID_FIELD_NUMBER: _ClassVar[int]
    ACCRUED_CARRIED_INTEREST_FIELD_NUMBER: _ClassVar[int]
    GROSS_VALUE_FIELD_NUMBER: _ClassVar[int]
    GROSS_IRR_FIELD_NUMBER: _ClassVar[int]
    GROSS_TVPI_FIELD_NUMBER: _ClassVar[int]
    GROSS_DPI_FIELD_NUMBER: _ClassVar[int]
    GROSS_RVPI_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    paid_in: str
    received: str
    value: str
    irr: float
    tvpi: float
    dpi: float
    rvpi: float
    carried_interest_paid: str
    accrued_carried_interest: str
    gross_value: str
    gross_irr: float
    gross_tvpi: float
    gross_dpi: float
    gross_rvpi: float
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, paid_in: _Optional[str] = ..., received: _Optional[str] = ..., value: _Optional[str] = ..., irr: _Optional[float] = ..., tvpi: _Optional[float] = ..., dpi: _Optional[float] = ..., rvpi: _Optional[float] = ..., carried_interest_paid: _Optional[str] = ..., accrued_carried_interest: _Optional[str] = ..., gross_value: _Optional[str] = ..., gross_irr: _Optional[float] = ..., gross_tvpi: _Optional[float] = ..., gross_dpi: _Optional[float] = ..., gross_rvpi: _Optional[float] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class BenchmarkComparison(_message.Message):
    __slots__ = ("benchmark_id", "name", "period_return", "ks_pme", "direct_alpha", "note", "set_fields")
    BENCHMARK_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PERIOD_RETURN_FIELD_NUMBER: _ClassVar[int]
    KS_PME_FIELD_NUMBER: _ClassVar[int]
    DIRECT_ALPHA_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    benchmark_id: int
    name: str
    period_return: float
    ks_pme: float
    direct_alpha: float
    note: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, benchmark_id: _Optional[int] = ..., name: _Optional[str] = ..., period_return: _Optional[float] = ..., ks_pme: _Optional[float] = ..., direct_alpha: _Optional[float] = ..., note: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class ClassPerformance(_message.Message):
    __slots__ = ("class_id", "name", "currency", "units", "net_asset_value", "nav_per_unit", "twr", "twr_annualised", "periods", "money_weighted", "set_fields")
    CLASS_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    NET_ASSET_VALUE_FIELD_NUMBER: _ClassVar[int]
    NAV_PER_UNIT_FIELD_NUMBER: _ClassVar[int]
    TWR_FIELD_NUMBER: _ClassVar[int]
    TWR_ANNUALISED_FIELD_NUMBER: _ClassVar[int]
    PERIODS_FIELD_NUMBER: _ClassVar[int]
    MONEY_WEIGHTED_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    class_id: str
    name: str
    currency: str
    units: str
    net_asset_value: str
    nav_per_unit: str
    twr: float
    twr_annualised: float
    periods: _containers.RepeatedCompositeFieldContainer[PeriodReturn]
    money_weighted: MoneyWeighted
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, class_id: _Optional[str] = ..., name: _Optional[str] = ..., currency: _Optional[str] = ..., units: _Optional[str] = ..., net_asset_value: _Optional[str] = ..., nav_per_unit: _Optional[str] = ..., twr: _Optional[float] = ..., twr_annualised: _Optional[float] = ..., periods: _Optional[_Iterable[_Union[PeriodReturn, _Mapping]]] = ..., money_weighted: _Optional[_Union[MoneyWeighted, _Mapping]] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class NavHistory(_message.Message):
    __slots__ = ("pool_id", "currency", "frequency", "start", "end", "points", "last_valuation_date", "share_classes", "set_fields")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    FREQUENCY_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    POINTS_FIELD_NUMBER: _ClassVar[int]
    LAST_VALUATION_DATE_FIELD_NUMBER: _ClassVar[int]
    SHARE_CLASSES_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    currency: str
    frequency: str
    start: str
    end: str
    points: _containers.RepeatedCompositeFieldContainer[NavPoint]
    last_valuation_date: str
    share_classes: _containers.RepeatedCompositeFieldContainer[ClassLabel]
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, pool_id: _Optional[int] = ..., currency: _Optional[str] = ..., frequency: _Optional[str] = ..., start: _Optional[str] = ..., end: _Optional[str] = ..., points: _Optional[_Iterable[_Union[NavPoint, _Mapping]]] = ..., last_valuation_date: _Optional[str] = ..., share_classes: _Optional[_Iterable[_Union[ClassLabel, _Mapping]]] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class NavPoint(_message.Message):
    __slots__ = ("date", "net_asset_value", "value", "units_outstanding", "nav_per_unit", "distributions_per_unit", "index", "inflow", "outflow", "class_nav_per_unit", "set_fields")
    class ClassNavPerUnitEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    DATE_FIELD_NUMBER: _ClassVar[int]
    NET_ASSET_VALUE_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    UNITS_OUTSTANDING_FIELD_NUMBER: _ClassVar[int]
    NAV_PER_UNIT_FIELD_NUMBER: _ClassVar[int]
    DISTRIBUTIONS_PER_UNIT_FIELD_NUMBER: _ClassVar[int]
    INDEX_FIELD_NUMBER: _ClassVar[int]
    INFLOW_FIELD_NUMBER: _ClassVar[int]
    OUTFLOW_FIELD_NUMBER: _ClassVar[int]
    CLASS_NAV_PER_UNIT_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    date: str
    net_asset_value: str
    value: str
    units_outstanding: str
    nav_per_unit: str
    distributions_per_unit: str
    index: float
    inflow: str
    outflow: str
    class_nav_per_unit: _containers.ScalarMap[str, str]
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, date: _Optional[str] = ..., net_asset_value: _Optional[str] = ..., value: _Optional[str] = ..., units_outstanding: _Optional[str] = ..., nav_per_unit: _Optional[str] = ..., distributions_per_unit: _Optional[str] = ..., index: _Optional[float] = ..., inflow: _Optional[str] = ..., outflow: _Optional[str] = ..., class_nav_per_unit: _Optional[_Mapping[str, str]] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class ClassLabel(_message.Message):
    __slots__ = ("class_id", "name", "currency", "set_fields")
    CLASS_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    class_id: str
    name: str
    currency: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, class_id: _Optional[str] = ..., name: _Optional[str] = ..., currency: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class InvestorPerformance(_message.Message):
    __slots__ = ("investor_id", "as_of", "pools", "totals", "set_fields")
    INVESTOR_ID_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    POOLS_FIELD_NUMBER: _ClassVar[int]
    TOTALS_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    investor_id: int
    as_of: str
    pools: _containers.RepeatedCompositeFieldContainer[InvestorPoolPerformance]
    totals: _containers.RepeatedCompositeFieldContainer[CurrencyTotal]
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, investor_id: _Optional[int] = ..., as_of: _Optional[str] = ..., pools: _Optional[_Iterable[_Union[InvestorPoolPerformance, _Mapping]]] = ..., totals: _Optional[_Iterable[_Union[CurrencyTotal, _Mapping]]] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class InvestorPoolPerformance(_message.Message):
    __slots__ = ("pool_id", "kind", "currency", "units", "capital_account", "accrued_carried_interest", "first_flow_date", "exit_date", "money_weighted", "twr", "twr_annualised", "pool_twr", "share_class", "set_fields")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    CAPITAL_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    ACCRUED_CARRIED_INTEREST_FIELD_NUMBER: _ClassVar[int]
    FIRST_FLOW_DATE_FIELD_NUMBER: _ClassVar[int]
    EXIT_DATE_FIELD_NUMBER: _ClassVar[int]
    MONEY_WEIGHTED_FIELD_NUMBER: _ClassVar[int]
    TWR_FIELD_NUMBER: _ClassVar[int]
    TWR_ANNUALISED_FIELD_NUMBER: _ClassVar[int]
    POOL_TWR_FIELD_NUMBER: _ClassVar[int]
    SHARE_CLASS_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    kind: str
    currency: str
    units: str
    capital_account: str
    accrued_carried_interest: str
    first_flow_date: str
    exit_date: str
    money_weighted: MoneyWeighted
    twr: float
    twr_annualised: float
    pool_twr: float
    share_class: HeldClass
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, pool_id: _Optional[int] = ..., kind: _Optional[str] = ..., currency: _Optional[str] = ..., units: _Optional[str] = ..., capital_account: _Optional[str] = ..., accrued_carried_interest: _Optional[str] = ..., first_flow_date: _Optional[str] = ..., exit_date: _Optional[str] = ..., money_weighted: _Optional[_Union[MoneyWeighted, _Mapping]] = ..., twr: _Optional[float] = ..., twr_annualised: _Optional[float] = ..., pool_twr: _Optional[float] = ..., share_class: _Optional[_Union[HeldClass, _Mapping]] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class HeldClass(_message.Message):
    __slots__ = ("class_id", "name", "currency", "nav_per_unit", "periods", "prices", "set_fields")
    CLASS_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    NAV_PER_UNIT_FIELD_NUMBER: _ClassVar[int]
    PERIODS_FIELD_NUMBER: _ClassVar[int]
    PRICES_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    class_id: str
    name: str
    currency: str
    nav_per_unit: str
    periods: _containers.RepeatedCompositeFieldContainer[PeriodReturn]
    prices: _containers.RepeatedCompositeFieldContainer[ClassPricePoint]
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, class_id: _Optional[str] = ..., name: _Optional[str] = ..., currency: _Optional[str] = ..., nav_per_unit: _Optional[str] = ..., periods: _Optional[_Iterable[_Union[PeriodReturn, _Mapping]]] = ..., prices: _Optional[_Iterable[_Union[ClassPricePoint, _Mapping]]] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class ClassPricePoint(_message.Message):
    __slots__ = ("date", "nav_per_unit", "set_fields")
    DATE_FIELD_NUMBER: _ClassVar[int]
    NAV_PER_UNIT_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    date: str
    nav_per_unit: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, date: _Optional[str] = ..., nav_per_unit: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class CurrencyTotal(_message.Message):
    __slots__ = ("currency", "money_weighted", "set_fields")
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    MONEY_WEIGHTED_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    currency: str
    money_weighted: MoneyWeighted
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, currency: _Optional[str] = ..., money_weighted: _Optional[_Union[MoneyWeighted, _Mapping]] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class CapitalAccountStatement(_message.Message):
    __slots__ = ("investor_id", "pool_id", "pool_kind", "currency", "period", "start", "end", "period_label", "investor_name", "pool_name", "beginning_balance", "contributions", "redemptions", "distributions", "management_fees", "management_fee_offsets", "performance_fees", "income", "expenses", "realised_gains", "unrealised_gains", "carried_interest_paid", "carried_interest_accrued", "other", "ending_balance", "beginning_capital_account", "ending_capital_account", "accrued_carried_interest_start", "accrued_carried_interest_end", "cash_contributed", "cash_received", "units_start", "units_end", "nav_per_unit_start", "nav_per_unit_end", "committed", "contributed_to_date", "unfunded_commitment", "call_receivable_end", "set_fields")
    INVESTOR_ID_FIELD_NUMBER: _ClassVar[int]
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    POOL_KIND_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    PERIOD_LABEL_FIELD_NUMBER: _ClassVar[int]
    INVESTOR_NAME_FIELD_NUMBER: _ClassVar[int]
    POOL_NAME_FIELD_NUMBER: _ClassVar[int]
    BEGINNING_BALANCE_FIELD_NUMBER: _ClassVar[int]
    CONTRIBUTIONS_FIELD_NUMBER: _ClassVar[int]
    REDEMPTIONS_FIELD_NUMBER: _ClassVar[int]
    DISTRIBUTIONS_FIELD_NUMBER: _ClassVar[int]
    MANAGEMENT_FEES_FIELD_NUMBER: _ClassVar[int]
    MANAGEMENT_FEE_OFFSETS_FIELD_NUMBER: _ClassVar[int]
    PERFORMANCE_FEES_FIELD_NUMBER: _ClassVar[int]
    INCOME_FIELD_NUMBER: _ClassVar[int]
    EXPENSES_FIELD_NUMBER: _ClassVar[int]
    REALISED_GAINS_FIELD_NUMBER: _ClassVar[int]
    UNREALISED_GAINS_FIELD_NUMBER: _ClassVar[int]
    CARRIED_INTEREST_PAID_FIELD_NUMBER: _ClassVar[int]
    CARRIED_INTEREST_ACCRUED_FIELD_NUMBER: _ClassVar[int]
    OTHER_FIELD_NUMBER: _ClassVar[int]
    ENDING_BALANCE_FIELD_NUMBER: _ClassVar[int]
    BEGINNING_CAPITAL_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    ENDING_CAPITAL_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    ACCRUED_CARRIED_INTEREST_START_FIELD_NUMBER: _ClassVar[int]
    ACCRUED_CARRIED_INTEREST_END_FIELD_NUMBER: _ClassVar[int]
    CASH_CONTRIBUTED_FIELD_NUMBER: _ClassVar[int]
    CASH_RECEIVED_FIELD_NUMBER: _ClassVar[int]
    UNITS_START_FIELD_NUMBER: _ClassVar[int]
    UNITS_END_FIELD_NUMBER: _ClassVar[int]
    NAV_PER_UNIT_START_FIELD_NUMBER: _ClassVar[int]
    NAV_PER_UNIT_END_FIELD_NUMBER: _ClassVar[int]
    COMMITTED_FIELD_NUMBER: _ClassVar[int]
    CONTRIBUTED_TO_DATE_FIELD_NUMBER: _ClassVar[int]
    UNFUNDED_COMMITMENT_FIELD_NUMBER: _ClassVar[int]
    CALL_RECEIVABLE_END_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    investor_id: int
    pool_id: int
    pool_kind: str
    currency: str
    period: str
    start: str
    end: str
    period_label: str
    investor_name: str
    pool_name: str
    beginning_balance: str
    contributions: str
    redemptions: str
    distributions: str
    management_fees: str
    management_fee_offsets: str
    performance_fees: str
    income: str
    expenses: str
    realised_gains: str
    unrealised_gains: str
    carried_interest_paid: str
    carried_interest_accrued: str
    other: str
    ending_balance: str
    beginning_capital_account: str
    ending_capital_account: str
    accrued_carried_interest_start: str
    accrued_carried_interest_end: str
    cash_contributed: str
    cash_received: str
    units_start: str
    units_end: str
    nav_per_unit_start: str
    nav_per_unit_end: str
    committed: str
    contributed_to_date: str
    unfunded_commitment: str
    call_receivable_end: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, investor_id: _Optional[int] = ..., pool_id: _Optional[int] = ..., pool_kind: _Optional[str] = ..., currency: _Optional[str] = ..., period: _Optional[str] = ..., start: _Optional[str] = ..., end: _Optional[str] = ..., period_label: _Optional[str] = ..., investor_name: _Optional[str] = ..., pool_name: _Optional[str] = ..., beginning_balance: _Optional[str] = ..., contributions: _Optional[str] = ..., redemptions: _Optional[str] = ..., distributions: _Optional[str] = ..., management_fees: _Optional[str] = ..., management_fee_offsets: _Optional[str] = ..., performance_fees: _Optional[str] = ..., income: _Optional[str] = ..., expenses: _Optional[str] = ..., realised_gains: _Optional[str] = ..., unrealised_gains: _Optional[str] = ..., carried_interest_paid: _Optional[str] = ..., carried_interest_accrued: _Optional[str] = ..., other: _Optional[str] = ..., ending_balance: _Optional[str] = ..., beginning_capital_account: _Optional[str] = ..., ending_capital_account: _Optional[str] = ..., accrued_carried_interest_start: _Optional[str] = ..., accrued_carried_interest_end: _Optional[str] = ..., cash_contributed: _Optional[str] = ..., cash_received: _Optional[str] = ..., units_start: _Optional[str] = ..., units_end: _Optional[str] = ..., nav_per_unit_start: _Optional[str] = ..., nav_per_unit_end: _Optional[str] = ..., committed: _Optional[str] = ..., contributed_to_date: _Optional[str] = ..., unfunded_commitment: _Optional[str] = ..., call_receivable_end: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class PoolOut(_message.Message):
    __slots__ = ("name", "kind", "base_currency", "inception_date", "initial_nav_per_unit", "management_fee", "performance_fee", "waterfall", "minimum_subscription", "share_classes", "id", "status", "base_currency_exponent", "manager_ids", "status_changed_at", "created_at", "updated_at", "set_fields")
    NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    BASE_CURRENCY_FIELD_NUMBER: _ClassVar[int]
    INCEPTION_DATE_FIELD_NUMBER: _ClassVar[int]
    INITIAL_NAV_PER_UNIT_FIELD_NUMBER: _ClassVar[int]
    MANAGEMENT_FEE_FIELD_NUMBER: _ClassVar[int]
    PERFORMANCE_FEE_FIELD_NUMBER: _ClassVar[int]
    WATERFALL_FIELD_NUMBER: _ClassVar[int]
    MINIMUM_SUBSCRIPTION_FIELD_NUMBER: _ClassVar[int]
    SHARE_CLASSES_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    BASE_CURRENCY_EXPONENT_FIELD_NUMBER: _ClassVar[int]
    MANAGER_IDS_FIELD_NUMBER: _ClassVar[int]
    STATUS_CHANGED_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    name: str
    kind: str
    base_currency: str
    inception_date: str
    initial_nav_per_unit: str
    management_fee: ManagementFeeTerms
    performance_fee: PerformanceFeeTerms
    waterfall: WaterfallTerms
    minimum_subscription: str
    share_classes: _containers.RepeatedCompositeFieldContainer[ShareClassTerms]
    id: int
    status: str
    base_currency_exponent: int
    manager_ids: _containers.RepeatedScalarFieldContainer[int]
    status_changed_at: str
    created_at: str
    updated_at: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, name: _Optional[str] = ..., kind: _Optional[str] = ..., base_currency: _Optional[str] = ..., inception_date: _Optional[str] = ..., initial_nav_per_unit: _Optional[str] = ..., management_fee: _Optional[_Union[ManagementFeeTerms, _Mapping]] = ..., performance_fee: _Optional[_Union[PerformanceFeeTerms, _Mapping]] = ..., waterfall: _Optional[_Union[WaterfallTerms, _Mapping]] = ..., minimum_subscription: _Optional[str] = ..., share_classes: _Optional[_Iterable[_Union[ShareClassTerms, _Mapping]]] = ..., id: _Optional[int] = ..., status: _Optional[str] = ..., base_currency_exponent: _Optional[int] = ..., manager_ids: _Optional[_Iterable[int]] = ..., status_changed_at: _Optional[str] = ..., created_at: _Optional[str] = ..., updated_at: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class ManagementFeeTerms(_message.Message):
    __slots__ = ("rate", "basis", "frequency", "day_count", "step_down_on", "step_down_rate", "offset_rate", "nav_point", "timing", "set_fields")
    RATE_FIELD_NUMBER: _ClassVar[int]
    BASIS_FIELD_NUMBER: _ClassVar[int]
    FREQUENCY_FIELD_NUMBER: _ClassVar[int]
    DAY_COUNT_FIELD_NUMBER: _ClassVar[int]
    STEP_DOWN_ON_FIELD_NUMBER: _ClassVar[int]
    STEP_DOWN_RATE_FIELD_NUMBER: _ClassVar[int]
    OFFSET_RATE_FIELD_NUMBER: _ClassVar[int]
    NAV_POINT_FIELD_NUMBER: _ClassVar[int]
    TIMING_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    rate: str
    basis: str
    frequency: str
    day_count: str
    step_down_on: str
    step_down_rate: str
    offset_rate: str
    nav_point: str
    timing: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, rate: _Optional[str] = ..., basis: _Optional[str] = ..., frequency: _Optional[str] = ..., day_count: _Optional[str] = ..., step_down_on: _Optional[str] = ..., step_down_rate: _Optional[str] = ..., offset_rate: _Optional[str] = ..., nav_point: _Optional[str] = ..., timing: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class PerformanceFeeTerms(_message.Message):
    __slots__ = ("rate", "high_water_mark", "hurdle_rate", "hurdle", "catch_up_rate", "gain_basis", "crystallisation", "set_fields")
    RATE_FIELD_NUMBER: _ClassVar[int]
    HIGH_WATER_MARK_FIELD_NUMBER: _ClassVar[int]
    HURDLE_RATE_FIELD_NUMBER: _ClassVar[int]
    HURDLE_FIELD_NUMBER: _ClassVar[int]
    CATCH_UP_RATE_FIELD_NUMBER: _ClassVar[int]
    GAIN_BASIS_FIELD_NUMBER: _ClassVar[int]
    CRYSTALLISATION_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    rate: str
    high_water_mark: bool
    hurdle_rate: str
    hurdle: str
    catch_up_rate: str
    gain_basis: str
    crystallisation: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, rate: _Optional[str] = ..., high_water_mark: _Optional[bool] = ..., hurdle_rate: _Optional[str] = ..., hurdle: _Optional[str] = ..., catch_up_rate: _Optional[str] = ..., gain_basis: _Optional[str] = ..., crystallisation: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class WaterfallTerms(_message.Message):
    __slots__ = ("style", "preferred_return_rate", "compounding", "catch_up_rate", "carried_interest_rate", "day_count", "equalisation_interest_rate", "clawback_tax_offset", "clawback_tax_rate", "interim_clawback", "set_fields")
    STYLE_FIELD_NUMBER: _ClassVar[int]
    PREFERRED_RETURN_RATE_FIELD_NUMBER: _ClassVar[int]
    COMPOUNDING_FIELD_NUMBER: _ClassVar[int]
    CATCH_UP_RATE_FIELD_NUMBER: _ClassVar[int]
    CARRIED_INTEREST_RATE_FIELD_NUMBER: _ClassVar[int]
    DAY_COUNT_FIELD_NUMBER: _ClassVar[int]
    EQUALISATION_INTEREST_RATE_FIELD_NUMBER: _ClassVar[int]
    CLAWBACK_TAX_OFFSET_FIELD_NUMBER: _ClassVar[int]
    CLAWBACK_TAX_RATE_FIELD_NUMBER: _ClassVar[int]
    INTERIM_CLAWBACK_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    style: str
    preferred_return_rate: str
    compounding: str
    catch_up_rate: str
    carried_interest_rate: str
    day_count: str
    equalisation_interest_rate: str
    clawback_tax_offset: str
    clawback_tax_rate: str
    interim_clawback: bool
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, style: _Optional[str] = ..., preferred_return_rate: _Optional[str] = ..., compounding: _Optional[str] = ..., catch_up_rate: _Optional[str] = ..., carried_interest_rate: _Optional[str] = ..., day_count: _Optional[str] = ..., equalisation_interest_rate: _Optional[str] = ..., clawback_tax_offset: _Optional[str] = ..., clawback_tax_rate: _Optional[str] = ..., interim_clawback: _Optional[bool] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class ShareClassTerms(_message.Message):
    __slots__ = ("class_id", "name", "currency", "hedged", "management_fee_rate", "performance_fee_rate", "minimum_subscription", "minimum_subsequent_subscription", "initial_nav_per_unit", "performance_fee_crystallisation", "performance_fee_on_redemption", "set_fields")
    CLASS_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    HEDGED_FIELD_NUMBER: _ClassVar[int]
    MANAGEMENT_FEE_RATE_FIELD_NUMBER: _ClassVar[int]
    PERFORMANCE_FEE_RATE_FIELD_NUMBER: _ClassVar[int]
    MINIMUM_SUBSCRIPTION_FIELD_NUMBER: _ClassVar[int]
    MINIMUM_SUBSEQUENT_SUBSCRIPTION_FIELD_NUMBER: _ClassVar[int]
    INITIAL_NAV_PER_UNIT_FIELD_NUMBER: _ClassVar[int]
    PERFORMANCE_FEE_CRYSTALLISATION_FIELD_NUMBER: _ClassVar[int]
    PERFORMANCE_FEE_ON_REDEMPTION_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    class_id: str
    name: str
    currency: str
    hedged: bool
    management_fee_rate: str
    performance_fee_rate: str
    minimum_subscription: str
    minimum_subsequent_subscription: str
    initial_nav_per_unit: str
    performance_fee_crystallisation: str
    performance_fee_on_redemption: bool
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, class_id: _Optional[str] = ..., name: _Optional[str] = ..., currency: _Optional[str] = ..., hedged: _Optional[bool] = ..., management_fee_rate: _Optional[str] = ..., performance_fee_rate: _Optional[str] = ..., minimum_subscription: _Optional[str] = ..., minimum_subsequent_subscription: _Optional[str] = ..., initial_nav_per_unit: _Optional[str] = ..., performance_fee_crystallisation: _Optional[str] = ..., performance_fee_on_redemption: _Optional[bool] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class BenchmarkCreate(_message.Message):
    __slots__ = ("name", "currency", "description", "set_fields")
    NAME_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    name: str
    currency: str
    description: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, name: _Optional[str] = ..., currency: _Optional[str] = ..., description: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class BenchmarkOut(_message.Message):
    __slots__ = ("id", "name", "currency", "description", "first_date", "last_date", "levels", "created_at", "shared", "created_by_user_id", "set_fields")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    FIRST_DATE_FIELD_NUMBER: _ClassVar[int]
    LAST_DATE_FIELD_NUMBER: _ClassVar[int]
    LEVELS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    SHARED_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_USER_ID_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    id: int
    name: str
    currency: str
    description: str
    first_date: str
    last_date: str
    levels: int
    created_at: str
    shared: bool
    created_by_user_id: int
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[int] = ..., name: _Optional[str] = ..., currency: _Optional[str] = ..., description: _Optional[str] = ..., first_date: _Optional[str] = ..., last_date: _Optional[str] = ..., levels: _Optional[int] = ..., created_at: _Optional[str] = ..., shared: _Optional[bool] = ..., created_by_user_id: _Optional[int] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class BenchmarkLevelsIn(_message.Message):
    __slots__ = ("levels", "csv", "set_fields")
    LEVELS_FIELD_NUMBER: _ClassVar[int]
    CSV_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    levels: _containers.RepeatedCompositeFieldContainer[BenchmarkLevel]
    csv: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, levels: _Optional[_Iterable[_Union[BenchmarkLevel, _Mapping]]] = ..., csv: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class BenchmarkLevel(_message.Message):
    __slots__ = ("date", "level", "set_fields")
    DATE_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    date: str
    level: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, date: _Optional[str] = ..., level: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class LevelsLoaded(_message.Message):
    __slots__ = ("benchmark_id", "loaded", "first_date", "last_date", "set_fields")
    BENCHMARK_ID_FIELD_NUMBER: _ClassVar[int]
    LOADED_FIELD_NUMBER: _ClassVar[int]
    FIRST_DATE_FIELD_NUMBER: _ClassVar[int]
    LAST_DATE_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    benchmark_id: int
    loaded: int
    first_date: str
    last_date: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, benchmark_id: _Optional[int] = ..., loaded: _Optional[int] = ..., first_date: _Optional[str] = ..., last_date: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class BenchmarkLevelOut(_message.Message):
    __slots__ = ("date", "level", "set_fields")
    DATE_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    date: str
    level: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, date: _Optional[str] = ..., level: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class PoolBenchmarkOut(_message.Message):
    __slots__ = ("pool_id", "benchmark_id", "name", "set_fields")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    BENCHMARK_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    benchmark_id: int
    name: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, pool_id: _Optional[int] = ..., benchmark_id: _Optional[int] = ..., name: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class FxRatesIn(_message.Message):
    __slots__ = ("rates", "csv", "set_fields")
    RATES_FIELD_NUMBER: _ClassVar[int]
    CSV_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    rates: _containers.RepeatedCompositeFieldContainer[FxRateIn]
    csv: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, rates: _Optional[_Iterable[_Union[FxRateIn, _Mapping]]] = ..., csv: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class FxRateIn(_message.Message):
    __slots__ = ("date", "currency", "rate", "set_fields")
    DATE_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    RATE_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    date: str
    currency: str
    rate: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, date: _Optional[str] = ..., currency: _Optional[str] = ..., rate: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class FxRatesLoaded(_message.Message):
    __slots__ = ("new", "replaced", "unchanged", "ignored_currencies", "first_date", "last_date", "set_fields")
    NEW_FIELD_NUMBER: _ClassVar[int]
    REPLACED_FIELD_NUMBER: _ClassVar[int]
    UNCHANGED_FIELD_NUMBER: _ClassVar[int]
    IGNORED_CURRENCIES_FIELD_NUMBER: _ClassVar[int]
    FIRST_DATE_FIELD_NUMBER: _ClassVar[int]
    LAST_DATE_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    new: int
    replaced: int
    unchanged: int
    ignored_currencies: _containers.RepeatedScalarFieldContainer[str]
    first_date: str
    last_date: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, new: _Optional[int] = ..., replaced: _Optional[int] = ..., unchanged: _Optional[int] = ..., ignored_currencies: _Optional[_Iterable[str]] = ..., first_date: _Optional[str] = ..., last_date: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class FxRateOut(_message.Message):
    __slots__ = ("date", "currency", "rate", "set_fields")
    DATE_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    RATE_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    date: str
    currency: str
    rate: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, date: _Optional[str] = ..., currency: _Optional[str] = ..., rate: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class FxQuotes(_message.Message):
    __slots__ = ("to_currency", "quotes", "set_fields")
    TO_CURRENCY_FIELD_NUMBER: _ClassVar[int]
    QUOTES_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    to_currency: str
    quotes: _containers.RepeatedCompositeFieldContainer[FxQuote]
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, to_currency: _Optional[str] = ..., quotes: _Optional[_Iterable[_Union[FxQuote, _Mapping]]] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class FxQuote(_message.Message):
    __slots__ = ("from_currency", "to_currency", "on", "rate", "from_per_eur", "to_per_eur", "from_rate_date", "to_rate_date", "set_fields")
    FROM_CURRENCY_FIELD_NUMBER: _ClassVar[int]
    TO_CURRENCY_FIELD_NUMBER: _ClassVar[int]
    ON_FIELD_NUMBER: _ClassVar[int]
    RATE_FIELD_NUMBER: _ClassVar[int]
    FROM_PER_EUR_FIELD_NUMBER: _ClassVar[int]
    TO_PER_EUR_FIELD_NUMBER: _ClassVar[int]
    FROM_RATE_DATE_FIELD_NUMBER: _ClassVar[int]
    TO_RATE_DATE_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    from_currency: str
    to_currency: str
    on: str
    rate: str
    from_per_eur: str
    to_per_eur: str
    from_rate_date: str
    to_rate_date: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, from_currency: _Optional[str] = ..., to_currency: _Optional[str] = ..., on: _Optional[str] = ..., rate: _Optional[str] = ..., from_per_eur: _Optional[str] = ..., to_per_eur: _Optional[str] = ..., from_rate_date: _Optional[str] = ..., to_rate_date: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class TextList(_message.Message):
    __slots__ = ("items",)
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, items: _Optional[_Iterable[str]] = ...) -> None: ...

class TupleTextText(_message.Message):
    __slots__ = ("item_1", "item_2")
    ITEM_1_FIELD_NUMBER: _ClassVar[int]
    ITEM_2_FIELD_NUMBER: _ClassVar[int]
    item_1: str
    item_2: str
    def __init__(self, item_1: _Optional[str] = ..., item_2: _Optional[str] = ...) -> None: ...
