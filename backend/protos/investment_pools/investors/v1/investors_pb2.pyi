from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CreateInvestorRequest(_message.Message):
    __slots__ = ("request",)
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    request: InvestorCreate
    def __init__(self, request: _Optional[_Union[InvestorCreate, _Mapping]] = ...) -> None: ...

class CreateInvestorResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: InvestorOut
    def __init__(self, result: _Optional[_Union[InvestorOut, _Mapping]] = ...) -> None: ...

class CreateInvestorsRequest(_message.Message):
    __slots__ = ("requests",)
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    requests: _containers.RepeatedCompositeFieldContainer[InvestorCreate]
    def __init__(self, requests: _Optional[_Iterable[_Union[InvestorCreate, _Mapping]]] = ...) -> None: ...

class CreateInvestorsResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _containers.RepeatedCompositeFieldContainer[InvestorOut]
    def __init__(self, result: _Optional[_Iterable[_Union[InvestorOut, _Mapping]]] = ...) -> None: ...

class GetInvestorRequest(_message.Message):
    __slots__ = ("investor_id",)
    INVESTOR_ID_FIELD_NUMBER: _ClassVar[int]
    investor_id: int
    def __init__(self, investor_id: _Optional[int] = ...) -> None: ...

class GetInvestorResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: InvestorOut
    def __init__(self, result: _Optional[_Union[InvestorOut, _Mapping]] = ...) -> None: ...

class LegalNamesRequest(_message.Message):
    __slots__ = ("investor_ids",)
    INVESTOR_IDS_FIELD_NUMBER: _ClassVar[int]
    investor_ids: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, investor_ids: _Optional[_Iterable[int]] = ...) -> None: ...

class LegalNamesResponse(_message.Message):
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

class ListInvestorsRequest(_message.Message):
    __slots__ = ("kyc_status", "search", "cursor", "limit")
    KYC_STATUS_FIELD_NUMBER: _ClassVar[int]
    SEARCH_FIELD_NUMBER: _ClassVar[int]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    kyc_status: str
    search: str
    cursor: int
    limit: int
    def __init__(self, kyc_status: _Optional[str] = ..., search: _Optional[str] = ..., cursor: _Optional[int] = ..., limit: _Optional[int] = ...) -> None: ...

class ListInvestorsResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: InvestorPage
    def __init__(self, result: _Optional[_Union[InvestorPage, _Mapping]] = ...) -> None: ...

class UpdateInvestorRequest(_message.Message):
    __slots__ = ("investor_id", "update")
    INVESTOR_ID_FIELD_NUMBER: _ClassVar[int]
    UPDATE_FIELD_NUMBER: _ClassVar[int]
    investor_id: int
    update: InvestorUpdate
    def __init__(self, investor_id: _Optional[int] = ..., update: _Optional[_Union[InvestorUpdate, _Mapping]] = ...) -> None: ...

class UpdateInvestorResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: InvestorOut
    def __init__(self, result: _Optional[_Union[InvestorOut, _Mapping]] = ...) -> None: ...

class RequireKycApprovedRequest(_message.Message):
    __slots__ = ("investor_id",)
    INVESTOR_ID_FIELD_NUMBER: _ClassVar[int]
    investor_id: int
    def __init__(self, investor_id: _Optional[int] = ...) -> None: ...

class RequireKycApprovedResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class KycStatusRequest(_message.Message):
    __slots__ = ("investor_id",)
    INVESTOR_ID_FIELD_NUMBER: _ClassVar[int]
    investor_id: int
    def __init__(self, investor_id: _Optional[int] = ...) -> None: ...

class KycStatusResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: str
    def __init__(self, result: _Optional[str] = ...) -> None: ...

class KycStatusesRequest(_message.Message):
    __slots__ = ("investor_ids",)
    INVESTOR_IDS_FIELD_NUMBER: _ClassVar[int]
    investor_ids: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, investor_ids: _Optional[_Iterable[int]] = ...) -> None: ...

class KycStatusesResponse(_message.Message):
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

class AddresseesRequest(_message.Message):
    __slots__ = ("investor_ids",)
    INVESTOR_IDS_FIELD_NUMBER: _ClassVar[int]
    investor_ids: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, investor_ids: _Optional[_Iterable[int]] = ...) -> None: ...

class AddresseesResponse(_message.Message):
    __slots__ = ("result",)
    class ResultEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: int
        value: TupleIntText
        def __init__(self, key: _Optional[int] = ..., value: _Optional[_Union[TupleIntText, _Mapping]] = ...) -> None: ...
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _containers.MessageMap[int, TupleIntText]
    def __init__(self, result: _Optional[_Mapping[int, TupleIntText]] = ...) -> None: ...

class InvestorForUserRequest(_message.Message):
    __slots__ = ("user_id",)
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    user_id: int
    def __init__(self, user_id: _Optional[int] = ...) -> None: ...

class InvestorForUserResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: InvestorOut
    def __init__(self, result: _Optional[_Union[InvestorOut, _Mapping]] = ...) -> None: ...

class PhonesOfUsersRequest(_message.Message):
    __slots__ = ("user_ids",)
    USER_IDS_FIELD_NUMBER: _ClassVar[int]
    user_ids: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, user_ids: _Optional[_Iterable[int]] = ...) -> None: ...

class PhonesOfUsersResponse(_message.Message):
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

class CreateCommitmentRequest(_message.Message):
    __slots__ = ("pool_id", "request")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    request: CommitmentCreate
    def __init__(self, pool_id: _Optional[int] = ..., request: _Optional[_Union[CommitmentCreate, _Mapping]] = ...) -> None: ...

class CreateCommitmentResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: CommitmentOut
    def __init__(self, result: _Optional[_Union[CommitmentOut, _Mapping]] = ...) -> None: ...

class CreateCommitmentsRequest(_message.Message):
    __slots__ = ("pool_id", "requests")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    requests: _containers.RepeatedCompositeFieldContainer[CommitmentCreate]
    def __init__(self, pool_id: _Optional[int] = ..., requests: _Optional[_Iterable[_Union[CommitmentCreate, _Mapping]]] = ...) -> None: ...

class CreateCommitmentsResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _containers.RepeatedCompositeFieldContainer[CommitmentOut]
    def __init__(self, result: _Optional[_Iterable[_Union[CommitmentOut, _Mapping]]] = ...) -> None: ...

class ListCommitmentsRequest(_message.Message):
    __slots__ = ("pool_id", "cursor", "limit")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    cursor: int
    limit: int
    def __init__(self, pool_id: _Optional[int] = ..., cursor: _Optional[int] = ..., limit: _Optional[int] = ...) -> None: ...

class ListCommitmentsResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: CommitmentPage
    def __init__(self, result: _Optional[_Union[CommitmentPage, _Mapping]] = ...) -> None: ...

class CommitmentsForPoolRequest(_message.Message):
    __slots__ = ("pool_id",)
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    def __init__(self, pool_id: _Optional[int] = ...) -> None: ...

class CommitmentsForPoolResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _containers.RepeatedCompositeFieldContainer[TupleIntText]
    def __init__(self, result: _Optional[_Iterable[_Union[TupleIntText, _Mapping]]] = ...) -> None: ...

class HasCommitmentsRequest(_message.Message):
    __slots__ = ("pool_id",)
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    def __init__(self, pool_id: _Optional[int] = ...) -> None: ...

class HasCommitmentsResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: bool
    def __init__(self, result: _Optional[bool] = ...) -> None: ...

class PutSideLetterRequest(_message.Message):
    __slots__ = ("pool_id", "investor_id", "terms")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    INVESTOR_ID_FIELD_NUMBER: _ClassVar[int]
    TERMS_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    investor_id: int
    terms: SideLetterTerms
    def __init__(self, pool_id: _Optional[int] = ..., investor_id: _Optional[int] = ..., terms: _Optional[_Union[SideLetterTerms, _Mapping]] = ...) -> None: ...

class PutSideLetterResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: SideLetterOut
    def __init__(self, result: _Optional[_Union[SideLetterOut, _Mapping]] = ...) -> None: ...

class CheckSideLetterRequest(_message.Message):
    __slots__ = ("pool_id", "investor_id", "terms")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    INVESTOR_ID_FIELD_NUMBER: _ClassVar[int]
    TERMS_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    investor_id: int
    terms: SideLetterTerms
    def __init__(self, pool_id: _Optional[int] = ..., investor_id: _Optional[int] = ..., terms: _Optional[_Union[SideLetterTerms, _Mapping]] = ...) -> None: ...

class CheckSideLetterResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: SideLetterOut
    def __init__(self, result: _Optional[_Union[SideLetterOut, _Mapping]] = ...) -> None: ...

class DeleteSideLetterRequest(_message.Message):
    __slots__ = ("pool_id", "investor_id")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    INVESTOR_ID_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    investor_id: int
    def __init__(self, pool_id: _Optional[int] = ..., investor_id: _Optional[int] = ...) -> None: ...

class DeleteSideLetterResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListSideLettersRequest(_message.Message):
    __slots__ = ("pool_id",)
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    def __init__(self, pool_id: _Optional[int] = ...) -> None: ...

class ListSideLettersResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: SideLetterPage
    def __init__(self, result: _Optional[_Union[SideLetterPage, _Mapping]] = ...) -> None: ...

class SideLettersForPoolRequest(_message.Message):
    __slots__ = ("pool_id",)
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    def __init__(self, pool_id: _Optional[int] = ...) -> None: ...

class SideLettersForPoolResponse(_message.Message):
    __slots__ = ("result",)
    class ResultEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: int
        value: SideLetterOut
        def __init__(self, key: _Optional[int] = ..., value: _Optional[_Union[SideLetterOut, _Mapping]] = ...) -> None: ...
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _containers.MessageMap[int, SideLetterOut]
    def __init__(self, result: _Optional[_Mapping[int, SideLetterOut]] = ...) -> None: ...

class SideLettersChangedAtRequest(_message.Message):
    __slots__ = ("pool_id",)
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    pool_id: int
    def __init__(self, pool_id: _Optional[int] = ...) -> None: ...

class SideLettersChangedAtResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: str
    def __init__(self, result: _Optional[str] = ...) -> None: ...

class ParticipatesRequest(_message.Message):
    __slots__ = ("user_id", "pool_id")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    user_id: int
    pool_id: int
    def __init__(self, user_id: _Optional[int] = ..., pool_id: _Optional[int] = ...) -> None: ...

class ParticipatesResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: bool
    def __init__(self, result: _Optional[bool] = ...) -> None: ...

class ParticipatingPoolIdsRequest(_message.Message):
    __slots__ = ("user_id",)
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    user_id: int
    def __init__(self, user_id: _Optional[int] = ...) -> None: ...

class ParticipatingPoolIdsResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, result: _Optional[_Iterable[int]] = ...) -> None: ...

class ParticipationRequest(_message.Message):
    __slots__ = ("investor_id", "pool_id")
    INVESTOR_ID_FIELD_NUMBER: _ClassVar[int]
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    investor_id: int
    pool_id: int
    def __init__(self, investor_id: _Optional[int] = ..., pool_id: _Optional[int] = ...) -> None: ...

class ParticipationResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: Participation
    def __init__(self, result: _Optional[_Union[Participation, _Mapping]] = ...) -> None: ...

class HoldingsRequest(_message.Message):
    __slots__ = ("investor_id",)
    INVESTOR_ID_FIELD_NUMBER: _ClassVar[int]
    investor_id: int
    def __init__(self, investor_id: _Optional[int] = ...) -> None: ...

class HoldingsResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _containers.RepeatedCompositeFieldContainer[Participation]
    def __init__(self, result: _Optional[_Iterable[_Union[Participation, _Mapping]]] = ...) -> None: ...

class InvestorCreate(_message.Message):
    __slots__ = ("user_id", "legal_name", "investor_type", "country", "contact_email", "contact_phone", "kyc_status", "set_fields")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    LEGAL_NAME_FIELD_NUMBER: _ClassVar[int]
    INVESTOR_TYPE_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    CONTACT_EMAIL_FIELD_NUMBER: _ClassVar[int]
    CONTACT_PHONE_FIELD_NUMBER: _ClassVar[int]
    KYC_STATUS_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    user_id: int
    legal_name: str
    investor_type: str
    country: str
    contact_email: str
    contact_phone: str
    kyc_status: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, user_id: _Optional[int] = ..., legal_name: _Optional[str] = ..., investor_type: _Optional[str] = ..., country: _Optional[str] = ..., contact_email: _Optional[str] = ..., contact_phone: _Optional[str] = ..., kyc_status: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class InvestorOut(_message.Message):
    __slots__ = ("id", "user_id", "legal_name", "investor_type", "country", "contact_email", "contact_phone", "kyc_status", "kyc_changed_at", "created_at", "updated_at", "set_fields")
    ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    LEGAL_NAME_FIELD_NUMBER: _ClassVar[int]
    INVESTOR_TYPE_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    CONTACT_EMAIL_FIELD_NUMBER: _ClassVar[int]
    CONTACT_PHONE_FIELD_NUMBER: _ClassVar[int]
    KYC_STATUS_FIELD_NUMBER: _ClassVar[int]
    KYC_CHANGED_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    id: int
    user_id: int
    legal_name: str
    investor_type: str
    country: str
    contact_email: str
    contact_phone: str
    kyc_status: str
    kyc_changed_at: str
    created_at: str
    updated_at: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[int] = ..., user_id: _Optional[int] = ..., legal_name: _Optional[str] = ..., investor_type: _Optional[str] = ..., country: _Optional[str] = ..., contact_email: _Optional[str] = ..., contact_phone: _Optional[str] = ..., kyc_status: _Optional[str] = ..., kyc_changed_at: _Optional[str] = ..., created_at: _Optional[str] = ..., updated_at: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class InvestorPage(_message.Message):
    __slots__ = ("items", "next_cursor", "set_fields")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    NEXT_CURSOR_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[InvestorOut]
    next_cursor: int
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, items: _Optional[_Iterable[_Union[InvestorOut, _Mapping]]] = ..., next_cursor: _Optional[int] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class InvestorUpdate(_message.Message):
    __slots__ = ("legal_name", "investor_type", "country", "contact_email", "contact_phone", "kyc_status", "set_fields")
    LEGAL_NAME_FIELD_NUMBER: _ClassVar[int]
    INVESTOR_TYPE_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    CONTACT_EMAIL_FIELD_NUMBER: _ClassVar[int]
    CONTACT_PHONE_FIELD_NUMBER: _ClassVar[int]
    KYC_STATUS_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    legal_name: str
    investor_type: str
    country: str
    contact_email: str
    contact_phone: str
    kyc_status: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, legal_name: _Optional[str] = ..., investor_type: _Optional[str] = ..., country: _Optional[str] = ..., contact_email: _Optional[str] = ..., contact_phone: _Optional[str] = ..., kyc_status: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class CommitmentCreate(_message.Message):
    __slots__ = ("investor_id", "amount", "effective_date", "set_fields")
    INVESTOR_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_DATE_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    investor_id: int
    amount: str
    effective_date: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, investor_id: _Optional[int] = ..., amount: _Optional[str] = ..., effective_date: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class CommitmentOut(_message.Message):
    __slots__ = ("id", "pool_id", "investor_id", "amount", "currency", "effective_date", "created_at", "set_fields")
    ID_FIELD_NUMBER: _ClassVar[int]
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    INVESTOR_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_DATE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    id: int
    pool_id: int
    investor_id: int
    amount: str
    currency: str
    effective_date: str
    created_at: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[int] = ..., pool_id: _Optional[int] = ..., investor_id: _Optional[int] = ..., amount: _Optional[str] = ..., currency: _Optional[str] = ..., effective_date: _Optional[str] = ..., created_at: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class CommitmentPage(_message.Message):
    __slots__ = ("items", "next_cursor", "set_fields")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    NEXT_CURSOR_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[CommitmentOut]
    next_cursor: int
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, items: _Optional[_Iterable[_Union[CommitmentOut, _Mapping]]] = ..., next_cursor: _Optional[int] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class SideLetterTerms(_message.Message):
    __slots__ = ("reference", "management_fee_rate", "management_fee_waiver", "carried_interest_rate", "gp_commitment", "management_fee_holiday_until", "set_fields")
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    MANAGEMENT_FEE_RATE_FIELD_NUMBER: _ClassVar[int]
    MANAGEMENT_FEE_WAIVER_FIELD_NUMBER: _ClassVar[int]
    CARRIED_INTEREST_RATE_FIELD_NUMBER: _ClassVar[int]
    GP_COMMITMENT_FIELD_NUMBER: _ClassVar[int]
    MANAGEMENT_FEE_HOLIDAY_UNTIL_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    reference: str
    management_fee_rate: str
    management_fee_waiver: str
    carried_interest_rate: str
    gp_commitment: bool
    management_fee_holiday_until: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, reference: _Optional[str] = ..., management_fee_rate: _Optional[str] = ..., management_fee_waiver: _Optional[str] = ..., carried_interest_rate: _Optional[str] = ..., gp_commitment: _Optional[bool] = ..., management_fee_holiday_until: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class SideLetterOut(_message.Message):
    __slots__ = ("reference", "management_fee_rate", "management_fee_waiver", "carried_interest_rate", "gp_commitment", "management_fee_holiday_until", "pool_id", "investor_id", "updated_at", "set_fields")
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    MANAGEMENT_FEE_RATE_FIELD_NUMBER: _ClassVar[int]
    MANAGEMENT_FEE_WAIVER_FIELD_NUMBER: _ClassVar[int]
    CARRIED_INTEREST_RATE_FIELD_NUMBER: _ClassVar[int]
    GP_COMMITMENT_FIELD_NUMBER: _ClassVar[int]
    MANAGEMENT_FEE_HOLIDAY_UNTIL_FIELD_NUMBER: _ClassVar[int]
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    INVESTOR_ID_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    reference: str
    management_fee_rate: str
    management_fee_waiver: str
    carried_interest_rate: str
    gp_commitment: bool
    management_fee_holiday_until: str
    pool_id: int
    investor_id: int
    updated_at: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, reference: _Optional[str] = ..., management_fee_rate: _Optional[str] = ..., management_fee_waiver: _Optional[str] = ..., carried_interest_rate: _Optional[str] = ..., gp_commitment: _Optional[bool] = ..., management_fee_holiday_until: _Optional[str] = ..., pool_id: _Optional[int] = ..., investor_id: _Optional[int] = ..., updated_at: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class SideLetterPage(_message.Message):
    __slots__ = ("items", "set_fields")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[SideLetterOut]
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, items: _Optional[_Iterable[_Union[SideLetterOut, _Mapping]]] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class Participation(_message.Message):
    __slots__ = ("investor_id", "pool_id", "pool_kind", "currency", "committed", "contributed", "unfunded", "distributed", "fees_borne", "units_held", "capital_account", "set_fields")
    INVESTOR_ID_FIELD_NUMBER: _ClassVar[int]
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    POOL_KIND_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    COMMITTED_FIELD_NUMBER: _ClassVar[int]
    CONTRIBUTED_FIELD_NUMBER: _ClassVar[int]
    UNFUNDED_FIELD_NUMBER: _ClassVar[int]
    DISTRIBUTED_FIELD_NUMBER: _ClassVar[int]
    FEES_BORNE_FIELD_NUMBER: _ClassVar[int]
    UNITS_HELD_FIELD_NUMBER: _ClassVar[int]
    CAPITAL_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    investor_id: int
    pool_id: int
    pool_kind: str
    currency: str
    committed: str
    contributed: str
    unfunded: str
    distributed: str
    fees_borne: str
    units_held: str
    capital_account: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, investor_id: _Optional[int] = ..., pool_id: _Optional[int] = ..., pool_kind: _Optional[str] = ..., currency: _Optional[str] = ..., committed: _Optional[str] = ..., contributed: _Optional[str] = ..., unfunded: _Optional[str] = ..., distributed: _Optional[str] = ..., fees_borne: _Optional[str] = ..., units_held: _Optional[str] = ..., capital_account: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class TupleIntText(_message.Message):
    __slots__ = ("item_1", "item_2")
    ITEM_1_FIELD_NUMBER: _ClassVar[int]
    ITEM_2_FIELD_NUMBER: _ClassVar[int]
    item_1: int
    item_2: str
    def __init__(self, item_1: _Optional[int] = ..., item_2: _Optional[str] = ...) -> None: ...
