from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CreateUserRequest(_message.Message):
    __slots__ = ("request",)
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    request: UserCreate
    def __init__(self, request: _Optional[_Union[UserCreate, _Mapping]] = ...) -> None: ...

class CreateUserResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: UserOut
    def __init__(self, result: _Optional[_Union[UserOut, _Mapping]] = ...) -> None: ...

class CreateUsersRequest(_message.Message):
    __slots__ = ("requests",)
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    requests: _containers.RepeatedCompositeFieldContainer[UserCreate]
    def __init__(self, requests: _Optional[_Iterable[_Union[UserCreate, _Mapping]]] = ...) -> None: ...

class CreateUsersResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _containers.RepeatedCompositeFieldContainer[UserOut]
    def __init__(self, result: _Optional[_Iterable[_Union[UserOut, _Mapping]]] = ...) -> None: ...

class ActiveUsersRequest(_message.Message):
    __slots__ = ("user_ids",)
    USER_IDS_FIELD_NUMBER: _ClassVar[int]
    user_ids: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, user_ids: _Optional[_Iterable[int]] = ...) -> None: ...

class ActiveUsersResponse(_message.Message):
    __slots__ = ("result",)
    class ResultEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: int
        value: UserOut
        def __init__(self, key: _Optional[int] = ..., value: _Optional[_Union[UserOut, _Mapping]] = ...) -> None: ...
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _containers.MessageMap[int, UserOut]
    def __init__(self, result: _Optional[_Mapping[int, UserOut]] = ...) -> None: ...

class ListUsersRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListUsersResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _containers.RepeatedCompositeFieldContainer[UserOut]
    def __init__(self, result: _Optional[_Iterable[_Union[UserOut, _Mapping]]] = ...) -> None: ...

class ListUsersPageRequest(_message.Message):
    __slots__ = ("limit", "search")
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    SEARCH_FIELD_NUMBER: _ClassVar[int]
    limit: int
    search: str
    def __init__(self, limit: _Optional[int] = ..., search: _Optional[str] = ...) -> None: ...

class ListUsersPageResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _containers.RepeatedCompositeFieldContainer[UserOut]
    def __init__(self, result: _Optional[_Iterable[_Union[UserOut, _Mapping]]] = ...) -> None: ...

class CountByRoleRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CountByRoleResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _containers.RepeatedCompositeFieldContainer[RoleCount]
    def __init__(self, result: _Optional[_Iterable[_Union[RoleCount, _Mapping]]] = ...) -> None: ...

class GetUserRequest(_message.Message):
    __slots__ = ("user_id",)
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    user_id: int
    def __init__(self, user_id: _Optional[int] = ...) -> None: ...

class GetUserResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: UserOut
    def __init__(self, result: _Optional[_Union[UserOut, _Mapping]] = ...) -> None: ...

class FindByEmailRequest(_message.Message):
    __slots__ = ("email",)
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    email: str
    def __init__(self, email: _Optional[str] = ...) -> None: ...

class FindByEmailResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: UserOut
    def __init__(self, result: _Optional[_Union[UserOut, _Mapping]] = ...) -> None: ...

class SetActiveRequest(_message.Message):
    __slots__ = ("user_id", "active")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    user_id: int
    active: bool
    def __init__(self, user_id: _Optional[int] = ..., active: _Optional[bool] = ...) -> None: ...

class SetActiveResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: UserOut
    def __init__(self, result: _Optional[_Union[UserOut, _Mapping]] = ...) -> None: ...

class SetRoleRequest(_message.Message):
    __slots__ = ("user_id", "role")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    user_id: int
    role: str
    def __init__(self, user_id: _Optional[int] = ..., role: _Optional[str] = ...) -> None: ...

class SetRoleResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: UserOut
    def __init__(self, result: _Optional[_Union[UserOut, _Mapping]] = ...) -> None: ...

class SetPasswordRequest(_message.Message):
    __slots__ = ("user_id", "new_password", "current_password")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    NEW_PASSWORD_FIELD_NUMBER: _ClassVar[int]
    CURRENT_PASSWORD_FIELD_NUMBER: _ClassVar[int]
    user_id: int
    new_password: str
    current_password: str
    def __init__(self, user_id: _Optional[int] = ..., new_password: _Optional[str] = ..., current_password: _Optional[str] = ...) -> None: ...

class SetPasswordResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ResetPasswordRequest(_message.Message):
    __slots__ = ("user_id", "new_password")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    NEW_PASSWORD_FIELD_NUMBER: _ClassVar[int]
    user_id: int
    new_password: str
    def __init__(self, user_id: _Optional[int] = ..., new_password: _Optional[str] = ...) -> None: ...

class ResetPasswordResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class SetReportingCurrencyRequest(_message.Message):
    __slots__ = ("user_id", "currency")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    user_id: int
    currency: str
    def __init__(self, user_id: _Optional[int] = ..., currency: _Optional[str] = ...) -> None: ...

class SetReportingCurrencyResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: UserOut
    def __init__(self, result: _Optional[_Union[UserOut, _Mapping]] = ...) -> None: ...

class VerifyCredentialsRequest(_message.Message):
    __slots__ = ("email", "password")
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_FIELD_NUMBER: _ClassVar[int]
    email: str
    password: str
    def __init__(self, email: _Optional[str] = ..., password: _Optional[str] = ...) -> None: ...

class VerifyCredentialsResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: UserOut
    def __init__(self, result: _Optional[_Union[UserOut, _Mapping]] = ...) -> None: ...

class FindIdByEmailRequest(_message.Message):
    __slots__ = ("email",)
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    email: str
    def __init__(self, email: _Optional[str] = ...) -> None: ...

class FindIdByEmailResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: int
    def __init__(self, result: _Optional[int] = ...) -> None: ...

class ActiveUserRequest(_message.Message):
    __slots__ = ("user_id",)
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    user_id: int
    def __init__(self, user_id: _Optional[int] = ...) -> None: ...

class ActiveUserResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: UserOut
    def __init__(self, result: _Optional[_Union[UserOut, _Mapping]] = ...) -> None: ...

class ContactsRequest(_message.Message):
    __slots__ = ("user_ids",)
    USER_IDS_FIELD_NUMBER: _ClassVar[int]
    user_ids: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, user_ids: _Optional[_Iterable[int]] = ...) -> None: ...

class ContactsResponse(_message.Message):
    __slots__ = ("result",)
    class ResultEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: int
        value: TupleTextText
        def __init__(self, key: _Optional[int] = ..., value: _Optional[_Union[TupleTextText, _Mapping]] = ...) -> None: ...
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _containers.MessageMap[int, TupleTextText]
    def __init__(self, result: _Optional[_Mapping[int, TupleTextText]] = ...) -> None: ...

class FindColleaguesRequest(_message.Message):
    __slots__ = ("role", "text", "limit")
    ROLE_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    role: str
    text: str
    limit: int
    def __init__(self, role: _Optional[str] = ..., text: _Optional[str] = ..., limit: _Optional[int] = ...) -> None: ...

class FindColleaguesResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _containers.RepeatedCompositeFieldContainer[Colleague]
    def __init__(self, result: _Optional[_Iterable[_Union[Colleague, _Mapping]]] = ...) -> None: ...

class ColleaguesRequest(_message.Message):
    __slots__ = ("user_ids",)
    USER_IDS_FIELD_NUMBER: _ClassVar[int]
    user_ids: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, user_ids: _Optional[_Iterable[int]] = ...) -> None: ...

class ColleaguesResponse(_message.Message):
    __slots__ = ("result",)
    class ResultEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: int
        value: Colleague
        def __init__(self, key: _Optional[int] = ..., value: _Optional[_Union[Colleague, _Mapping]] = ...) -> None: ...
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: _containers.MessageMap[int, Colleague]
    def __init__(self, result: _Optional[_Mapping[int, Colleague]] = ...) -> None: ...

class CountRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CountResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: int
    def __init__(self, result: _Optional[int] = ...) -> None: ...

class UserCreate(_message.Message):
    __slots__ = ("email", "role", "password", "display_name", "set_fields")
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    email: str
    role: str
    password: str
    display_name: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, email: _Optional[str] = ..., role: _Optional[str] = ..., password: _Optional[str] = ..., display_name: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class UserOut(_message.Message):
    __slots__ = ("id", "email", "display_name", "role", "is_active", "created_at", "reporting_currency", "reporting_currency_chosen", "set_fields")
    ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    REPORTING_CURRENCY_FIELD_NUMBER: _ClassVar[int]
    REPORTING_CURRENCY_CHOSEN_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    id: int
    email: str
    display_name: str
    role: str
    is_active: bool
    created_at: str
    reporting_currency: str
    reporting_currency_chosen: bool
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[int] = ..., email: _Optional[str] = ..., display_name: _Optional[str] = ..., role: _Optional[str] = ..., is_active: _Optional[bool] = ..., created_at: _Optional[str] = ..., reporting_currency: _Optional[str] = ..., reporting_currency_chosen: _Optional[bool] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class RoleCount(_message.Message):
    __slots__ = ("role", "active", "accounts", "set_fields")
    ROLE_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    ACCOUNTS_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    role: str
    active: bool
    accounts: int
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, role: _Optional[str] = ..., active: _Optional[bool] = ..., accounts: _Optional[int] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class Colleague(_message.Message):
    __slots__ = ("id", "display_name", "role", "is_active", "set_fields")
    ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    id: int
    display_name: str
    role: str
    is_active: bool
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[int] = ..., display_name: _Optional[str] = ..., role: _Optional[str] = ..., is_active: _Optional[bool] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class TupleTextText(_message.Message):
    __slots__ = ("item_1", "item_2")
    ITEM_1_FIELD_NUMBER: _ClassVar[int]
    ITEM_2_FIELD_NUMBER: _ClassVar[int]
    item_1: str
    item_2: str
    def __init__(self, item_1: _Optional[str] = ..., item_2: _Optional[str] = ...) -> None: ...
