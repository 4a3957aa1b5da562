from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AuthenticateRequest(_message.Message):
    __slots__ = ("email", "password", "client_ip", "device")
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_FIELD_NUMBER: _ClassVar[int]
    CLIENT_IP_FIELD_NUMBER: _ClassVar[int]
    DEVICE_FIELD_NUMBER: _ClassVar[int]
    email: str
    password: str
    client_ip: str
    device: SignInDevice
    def __init__(self, email: _Optional[str] = ..., password: _Optional[str] = ..., client_ip: _Optional[str] = ..., device: _Optional[_Union[SignInDevice, _Mapping]] = ...) -> None: ...

class AuthenticateResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: UserOut
    def __init__(self, result: _Optional[_Union[UserOut, _Mapping]] = ...) -> None: ...

class LoginForTokensRequest(_message.Message):
    __slots__ = ("email", "password", "client_ip", "device")
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_FIELD_NUMBER: _ClassVar[int]
    CLIENT_IP_FIELD_NUMBER: _ClassVar[int]
    DEVICE_FIELD_NUMBER: _ClassVar[int]
    email: str
    password: str
    client_ip: str
    device: SignInDevice
    def __init__(self, email: _Optional[str] = ..., password: _Optional[str] = ..., client_ip: _Optional[str] = ..., device: _Optional[_Union[SignInDevice, _Mapping]] = ...) -> None: ...

class LoginForTokensResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: TokenPair
    def __init__(self, result: _Optional[_Union[TokenPair, _Mapping]] = ...) -> None: ...

class StartPortalSessionRequest(_message.Message):
    __slots__ = ("user_id", "ttl_seconds")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    TTL_SECONDS_FIELD_NUMBER: _ClassVar[int]
    user_id: int
    ttl_seconds: int
    def __init__(self, user_id: _Optional[int] = ..., ttl_seconds: _Optional[int] = ...) -> None: ...

class StartPortalSessionResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: str
    def __init__(self, result: _Optional[str] = ...) -> None: ...

class SessionIsLiveRequest(_message.Message):
    __slots__ = ("session_id", "user_id")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    user_id: int
    def __init__(self, session_id: _Optional[str] = ..., user_id: _Optional[int] = ...) -> None: ...

class SessionIsLiveResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: bool
    def __init__(self, result: _Optional[bool] = ...) -> None: ...

class EndSessionRequest(_message.Message):
    __slots__ = ("session_id",)
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    def __init__(self, session_id: _Optional[str] = ...) -> None: ...

class EndSessionResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class RevokeUserSessionsRequest(_message.Message):
    __slots__ = ("user_id", "reason")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    user_id: int
    reason: str
    def __init__(self, user_id: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class RevokeUserSessionsResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: int
    def __init__(self, result: _Optional[int] = ...) -> None: ...

class RequestPasswordResetRequest(_message.Message):
    __slots__ = ("user_id",)
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    user_id: int
    def __init__(self, user_id: _Optional[int] = ...) -> None: ...

class RequestPasswordResetResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: UserOut
    def __init__(self, result: _Optional[_Union[UserOut, _Mapping]] = ...) -> None: ...

class RequestOwnPasswordResetRequest(_message.Message):
    __slots__ = ("email",)
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    email: str
    def __init__(self, email: _Optional[str] = ...) -> None: ...

class RequestOwnPasswordResetResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ResetPasswordRequest(_message.Message):
    __slots__ = ("token", "new_password")
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    NEW_PASSWORD_FIELD_NUMBER: _ClassVar[int]
    token: str
    new_password: str
    def __init__(self, token: _Optional[str] = ..., new_password: _Optional[str] = ...) -> None: ...

class ResetPasswordResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class IssueTokensRequest(_message.Message):
    __slots__ = ("user",)
    USER_FIELD_NUMBER: _ClassVar[int]
    user: UserOut
    def __init__(self, user: _Optional[_Union[UserOut, _Mapping]] = ...) -> None: ...

class IssueTokensResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: TokenPair
    def __init__(self, result: _Optional[_Union[TokenPair, _Mapping]] = ...) -> None: ...

class RefreshRequest(_message.Message):
    __slots__ = ("refresh_token",)
    REFRESH_TOKEN_FIELD_NUMBER: _ClassVar[int]
    refresh_token: str
    def __init__(self, refresh_token: _Optional[str] = ...) -> None: ...

class RefreshResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: TokenPair
    def __init__(self, result: _Optional[_Union[TokenPair, _Mapping]] = ...) -> None: ...

class LogoutRequest(_message.Message):
    __slots__ = ("access_token", "refresh_token")
    ACCESS_TOKEN_FIELD_NUMBER: _ClassVar[int]
    REFRESH_TOKEN_FIELD_NUMBER: _ClassVar[int]
    access_token: str
    refresh_token: str
    def __init__(self, access_token: _Optional[str] = ..., refresh_token: _Optional[str] = ...) -> None: ...

class LogoutResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ActorFromAccessTokenRequest(_message.Message):
    __slots__ = ("token",)
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    token: str
    def __init__(self, token: _Optional[str] = ...) -> None: ...

class ActorFromAccessTokenResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: Actor
    def __init__(self, result: _Optional[_Union[Actor, _Mapping]] = ...) -> None: ...

class ActorForUserIdRequest(_message.Message):
    __slots__ = ("user_id",)
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    user_id: int
    def __init__(self, user_id: _Optional[int] = ...) -> None: ...

class ActorForUserIdResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: Actor
    def __init__(self, result: _Optional[_Union[Actor, _Mapping]] = ...) -> None: ...

class PurgeExpiredRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class PurgeExpiredResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: int
    def __init__(self, result: _Optional[int] = ...) -> None: ...

class SignInDevice(_message.Message):
    __slots__ = ("key", "label", "set_fields")
    KEY_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    key: str
    label: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, key: _Optional[str] = ..., label: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

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

class TokenPair(_message.Message):
    __slots__ = ("access_token", "refresh_token", "token_type", "expires_in", "set_fields")
    ACCESS_TOKEN_FIELD_NUMBER: _ClassVar[int]
    REFRESH_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOKEN_TYPE_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_IN_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    access_token: str
    refresh_token: str
    token_type: str
    expires_in: int
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, access_token: _Optional[str] = ..., refresh_token: _Optional[str] = ..., token_type: _Optional[str] = ..., expires_in: _Optional[int] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class Actor(_message.Message):
    __slots__ = ("user_id", "role", "label", "set_fields")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    SET_FIELDS_FIELD_NUMBER: _ClassVar[int]
    user_id: int
    role: str
    label: str
    set_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, user_id: _Optional[int] = ..., role: _Optional[str] = ..., label: _Optional[str] = ..., set_fields: _Optional[_Iterable[str]] = ...) -> None: ...
