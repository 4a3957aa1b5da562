"""The notification service's public types.

notifications.interface re-exports them as the service's contract; importers name this
package, not its modules. Bottom to top:

- ``notices``: the kinds of notice, money and dates in a notice's words, a notification to
  create for one user, the notifications as the bell lists them;
- ``deliveries``: the channels, a delivery's states, the delivery log and its filter, an
  email as previewed;
- ``choices``: what is emailed, texted and always sent by default, a preference per kind and
  channel, digests and the language of a person's notices;
- ``documents``: the formal notices as documents, and the capital account statements a
  manager issues with the figures each prints.
"""

from __future__ import annotations

from notifications.schemas.choices import (
    DIGESTED_KINDS,
    EMAILED_KINDS,
    FORMAL_NOTICES,
    TEXTED_KINDS,
    DigestChoice,
    DigestFrequency,
    LanguageChoice,
    PreferenceIn,
    PreferenceOut,
)
from notifications.schemas.deliveries import (
    Channel,
    DeliveryFilter,
    DeliveryOut,
    DeliveryStatus,
    EmailPreview,
)
from notifications.schemas.documents import (
    DocumentKind,
    DocumentOut,
    DocumentQuery,
    ReadAction,
    StatementFigures,
    StatementIssue,
    StatementIssueOut,
)
from notifications.schemas.notices import (
    MAX_LIST,
    Amount,
    Day,
    NotificationIn,
    NotificationKind,
    NotificationList,
    NotificationOut,
    Words,
)

__all__ = [
    "DIGESTED_KINDS",
    "EMAILED_KINDS",
    "FORMAL_NOTICES",
    "MAX_LIST",
    "TEXTED_KINDS",
    "Amount",
    "Channel",
    "Day",
    "DeliveryFilter",
    "DeliveryOut",
    "DeliveryStatus",
    "DigestChoice",
    "DigestFrequency",
    "DocumentKind",
    "DocumentOut",
    "DocumentQuery",
    "EmailPreview",
    "LanguageChoice",
    "NotificationIn",
    "NotificationKind",
    "NotificationList",
    "NotificationOut",
    "PreferenceIn",
    "PreferenceOut",
    "ReadAction",
    "StatementFigures",
    "StatementIssue",
    "StatementIssueOut",
    "Words",
]
