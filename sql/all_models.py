"""Every service's tables, imported for their side effect on the shared metadata.

The one place besides each service that names every models module: the Alembic environment
and the schema test need to see the whole schema.
"""

from __future__ import annotations

import backend.audit.models
import backend.auth.models
import backend.investors.models
import backend.payments.models
import backend.pools.models
import backend.users.models  # noqa: F401
import ledger.models  # noqa: F401
import notifications.models  # noqa: F401
import reports.models  # noqa: F401
from backend.platform.orm import Base

metadata = Base.metadata
