from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CreatePoolRequest(_message.Message):
    __slots__ = ("request",)
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    request: PoolCreate
    def __init__(self, request: _Optional[_Union[PoolCreate, _Mapping]] = ...) -> None: ...

class CreatePoolResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: PoolOut
    def __init__(self, result: _Optional[_Union[PoolOut, _Mapping]] = ...) -> None: ...

class CheckPoolRequest(_message.Message):
    __slots__ = ("request",)
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    request: PoolCreate
    def __init__(self, request: _Optional[_Union[PoolCreate, _Mapping]] = ...) -> None: ...

class CheckPoolResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: PoolSettings
    def __init__(self, result: _Optional[_Union[PoolSettings, _Mapping]] = ...) -> None: ...

class GetPoolRequest(_message.Message):
    __slots__ = ("pool_id",)
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    def __init__(self, pool_id: _Optional[int] = ...) -> None: ...

class GetPoolResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: PoolOut
    def __init__(self, result: _Optional[_Union[PoolOut, _Mapping]] = ...) -> None: ...

class ListPoolsRequest(_message.Message):
    __slots__ = ("status", "kind", "cursor", "limit")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    status: str
    kind: str
    cursor: int
    limit: int
    def __init__(self, status: _Optional[str] = ..., kind: _Optional[str] = ..., cursor: _Optional[int] = ..., limit: _Optional[int] = ...) -> None: ...

class ListPoolsResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: PoolPage
    def __init__(self, result: _Optional[_Union[PoolPage, _Mapping]] = ...) -> None: ...

class PoolNamesRequest(_message.Message):
    __slots__ = ("pool_ids",)
    POOL_IDS_FIELD_NUMBER: _ClassVar[int]
    pool_ids: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, pool_ids: _Optional[_Iterable[int]] = ...) -> None: ...

class PoolNamesResponse(_message.Message):
    __slots__ = ("result",)
    class ResultEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: int
        value: str
        def __init__(self, key: _Optional[int] = ..., value: _Optional[str] = ...) -> None: ...
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _containers.ScalarMap[int, str]
    def __init__(self, result: _Optional[_Mapping[int, str]] = ...) -> None: ...

class PoolTermsRequest(_message.Message):
    __slots__ = ("pool_id",)
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    def __init__(self, pool_id: _Optional[int] = ...) -> None: ...

class PoolTermsResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: PoolOut
    def __init__(self, result: _Optional[_Union[PoolOut, _Mapping]] = ...) -> None: ...

class TermsOfPoolsRequest(_message.Message):
    __slots__ = ("pool_ids",)
    POOL_IDS_FIELD_NUMBER: _ClassVar[int]
    pool_ids: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, pool_ids: _Optional[_Iterable[int]] = ...) -> None: ...

class TermsOfPoolsResponse(_message.Message):
    __slots__ = ("result",)
    class ResultEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: int
        value: PoolOut
        def __init__(self, key: _Optional[int] = ..., value: _Optional[_Union[PoolOut, _Mapping]] = ...) -> None: ...
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _containers.MessageMap[int, PoolOut]
    def __init__(self, result: _Optional[_Mapping[int, PoolOut]] = ...) -> None: ...

class AllPoolIdsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class AllPoolIdsResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, result: _Optional[_Iterable[int]] = ...) -> None: ...

class CanReadRequest(_message.Message):
    __slots__ = ("pool_id",)
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    def __init__(self, pool_id: _Optional[int] = ...) -> None: ...

class CanReadResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: bool
    def __init__(self, result: _Optional[bool] = ...) -> None: ...

class CanManageRequest(_message.Message):
    __slots__ = ("pool_id",)
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    def __init__(self, pool_id: _Optional[int] = ...) -> None: ...

class CanManageResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: bool
    def __init__(self, result: _Optional[bool] = ...) -> None: ...

class ManagedAmongRequest(_message.Message):
    __slots__ = ("pool_ids",)
    POOL_IDS_FIELD_NUMBER: _ClassVar[int]
    pool_ids: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, pool_ids: _Optional[_Iterable[int]] = ...) -> None: ...

class ManagedAmongResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, result: _Optional[_Iterable[int]] = ...) -> None: ...

class RequireManageRequest(_message.Message):
    __slots__ = ("pool_id",)
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    def __init__(self, pool_id: _Optional[int] = ...) -> None: ...

class RequireManageResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: PoolOut
    def __init__(self, result: _Optional[_Union[PoolOut, _Mapping]] = ...) -> None: ...

class UpdatePoolRequest(_message.Message):
    __slots__ = ("pool_id", "update")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    UPDATE_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    update: PoolUpdate
    def __init__(self, pool_id: _Optional[int] = ..., update: _Optional[_Union[PoolUpdate, _Mapping]] = ...) -> None: ...

class UpdatePoolResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: PoolOut
    def __init__(self, result: _Optional[_Union[PoolOut, _Mapping]] = ...) -> None: ...

class CheckUpdateRequest(_message.Message):
    __slots__ = ("pool_id", "update")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    UPDATE_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    update: PoolUpdate
    def __init__(self, pool_id: _Optional[int] = ..., update: _Optional[_Union[PoolUpdate, _Mapping]] = ...) -> None: ...

class CheckUpdateResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: PoolSettings
    def __init__(self, result: _Optional[_Union[PoolSettings, _Mapping]] = ...) -> None: ...

class ClosePoolRequest(_message.Message):
    __slots__ = ("pool_id",)
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    def __init__(self, pool_id: _Optional[int] = ...) -> None: ...

class ClosePoolResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: PoolOut
    def __init__(self, result: _Optional[_Union[PoolOut, _Mapping]] = ...) -> None: ...

class LiquidatePoolRequest(_message.Message):
    __slots__ = ("pool_id",)
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    def __init__(self, pool_id: _Optional[int] = ...) -> None: ...

class LiquidatePoolResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: PoolOut
    def __init__(self, result: _Optional[_Union[PoolOut, _Mapping]] = ...) -> None: ...

class FinishLiquidationRequest(_message.Message):
    __slots__ = ("pool_id",)
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    def __init__(self, pool_id: _Optional[int] = ...) -> None: ...

class FinishLiquidationResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: PoolOut
    def __init__(self, result: _Optional[_Union[PoolOut, _Mapping]] = ...) -> None: ...

class DeletePoolRequest(_message.Message):
    __slots__ = ("pool_id",)
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    def __init__(self, pool_id: _Optional[int] = ...) -> None: ...

class DeletePoolResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class TeamRequest(_message.Message):
    __slots__ = ("pool_id",)
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    def __init__(self, pool_id: _Optional[int] = ...) -> None: ...

class TeamResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: PoolTeamOut
    def __init__(self, result: _Optional[_Union[PoolTeamOut, _Mapping]] = ...) -> None: ...

class AddManagerRequest(_message.Message):
    __slots__ = ("pool_id", "user_int", "user_text")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    USER_INT_FIELD_NUMBER: _ClassVar[int]
    USER_TEXT_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    user_int: int
    user_text: str
    def __init__(self, pool_id: _Optional[int] = ..., user_int: _Optional[int] = ..., user_text: _Optional[str] = ...) -> None: ...

class AddManagerResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: PoolOut
    def __init__(self, result: _Optional[_Union[PoolOut, _Mapping]] = ...) -> None: ...

class RemoveManagerRequest(_message.Message):
    __slots__ = ("pool_id", "user_id")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    user_id: int
    def __init__(self, pool_id: _Optional[int] = ..., user_id: _Optional[int] = ...) -> None: ...

class RemoveManagerResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: PoolOut
    def __init__(self, result: _Optional[_Union[PoolOut, _Mapping]] = ...) -> None: ...

class GrantAnalystRequest(_message.Message):
    __slots__ = ("pool_id", "user_int", "user_text")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    USER_INT_FIELD_NUMBER: _ClassVar[int]
    USER_TEXT_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    user_int: int
    user_text: str
    def __init__(self, pool_id: _Optional[int] = ..., user_int: _Optional[int] = ..., user_text: _Optional[str] = ...) -> None: ...

class GrantAnalystResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: AnalystGrantOut
    def __init__(self, result: _Optional[_Union[AnalystGrantOut, _Mapping]] = ...) -> None: ...

class RevokeAnalystRequest(_message.Message):
    __slots__ = ("pool_id", "user_id")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    user_id: int
    def __init__(self, pool_id: _Optional[int] = ..., user_id: _Optional[int] = ...) -> None: ...

class RevokeAnalystResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class PoolCreate(_message.Message):
    __slots__ = ("name", "kind", "base_currency", "inception_date", "initial_nav_per_unit", "management_fee", "performance_fee", "waterfall", "minimum_subscription", "share_classes", "manager_user_id", "set_fields")
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
    MANAGER_USER_ID_FIELD_NUMBER: _ClassVar[int]
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
    manager_user_id: int
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, name: _Optional[str] = ..., kind: _Optional[str] = ..., base_currency: _Optional[str] = ..., inception_date: _Optional[str] = ..., initial_nav_per_unit: _Optional[str] = ..., management_fee: _Optional[_Union[ManagementFeeTerms, _Mapping]] = ..., performance_fee: _Optional[_Union[PerformanceFeeTerms, _Mapping]] = ..., waterfall: _Optional[_Union[WaterfallTerms, _Mapping]] = ..., minimum_subscription: _Optional[str] = ..., share_classes: _Optional[_Iterable[_Union[ShareClassTerms, _Mapping]]] = ..., manager_user_id: _Optional[int] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

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

class PoolSettings(_message.Message):
    __slots__ = ("name", "kind", "base_currency", "inception_date", "initial_nav_per_unit", "management_fee", "performance_fee", "waterfall", "minimum_subscription", "share_classes", "set_fields")
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
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, name: _Optional[str] = ..., kind: _Optional[str] = ..., base_currency: _Optional[str] = ..., inception_date: _Optional[str] = ..., initial_nav_per_unit: _Optional[str] = ..., management_fee: _Optional[_Union[ManagementFeeTerms, _Mapping]] = ..., performance_fee: _Optional[_Union[PerformanceFeeTerms, _Mapping]] = ..., waterfall: _Optional[_Union[WaterfallTerms, _Mapping]] = ..., minimum_subscription: _Optional[str] = ..., share_classes: _Optional[_Iterable[_Union[ShareClassTerms, _Mapping]]] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class PoolPage(_message.Message):
    __slots__ = ("items", "next_cursor", "set_fields")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    NEXT_CURSOR_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[PoolOut]
    next_cursor: int
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, items: _Optional[_Iterable[_Union[PoolOut, _Mapping]]] = ..., next_cursor: _Optional[int] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class PoolUpdate(_message.Message):
    __slots__ = ("name", "kind", "base_currency", "inception_date", "initial_nav_per_unit", "management_fee", "performance_fee", "waterfall", "minimum_subscription", "share_classes", "set_fields")
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
    share_classes: ShareClassTermsList
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, name: _Optional[str] = ..., kind: _Optional[str] = ..., base_currency: _Optional[str] = ..., inception_date: _Optional[str] = ..., initial_nav_per_unit: _Optional[str] = ..., management_fee: _Optional[_Union[ManagementFeeTerms, _Mapping]] = ..., performance_fee: _Optional[_Union[PerformanceFeeTerms, _Mapping]] = ..., waterfall: _Optional[_Union[WaterfallTerms, _Mapping]] = ..., minimum_subscription: _Optional[str] = ..., share_classes: _Optional[_Union[ShareClassTermsList, _Mapping]] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class PoolTeamOut(_message.Message):
    __slots__ = ("pool_id", "pool_name", "managers", "analysts", "set_fields")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    POOL_NAME_FIELD_NUMBER: _ClassVar[int]
    MANAGERS_FIELD_NUMBER: _ClassVar[int]
    ANALYSTS_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    pool_name: str
    managers: _containers.RepeatedCompositeFieldContainer[TeamMember]
    analysts: _containers.RepeatedCompositeFieldContainer[TeamMember]
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, pool_id: _Optional[int] = ..., pool_name: _Optional[str] = ..., managers: _Optional[_Iterable[_Union[TeamMember, _Mapping]]] = ..., analysts: _Optional[_Iterable[_Union[TeamMember, _Mapping]]] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class TeamMember(_message.Message):
    __slots__ = ("user_id", "name", "email", "active", "since", "set_fields")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    SINCE_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    user_id: int
    name: str
    email: str
    active: bool
    since: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, user_id: _Optional[int] = ..., name: _Optional[str] = ..., email: _Optional[str] = ..., active: _Optional[bool] = ..., since: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class AnalystGrantOut(_message.Message):
    __slots__ = ("pool_id", "user_id", "granted_at", "set_fields")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    GRANTED_AT_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    user_id: int
    granted_at: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, pool_id: _Optional[int] = ..., user_id: _Optional[int] = ..., granted_at: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class ShareClassTermsList(_message.Message):
    __slots__ = ("items",)
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[ShareClassTerms]
    def __init__(self, items: _Optional[_Iterable[_Union[ShareClassTerms, _Mapping]]] = ...) -> None: ...
