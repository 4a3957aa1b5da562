"""Promoting a replica to primary when the primary is lost.

The replica applies everything it has received before it stops replicating, so with
semi-synchronous replication (deploy/mariadb/: a commit is acknowledged only once a replica
holds it) no entry the app acknowledged is lost. Its own binary log already carries every
transaction with the old primary's GTIDs (log_slave_updates), so the other replicas follow
it from where they stopped with MASTER_USE_GTID=slave_pos.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend.backup.mariadb_tools import BackupToolError, ServerAddress


class PromotionError(BackupToolError):
    """The server is not a replica, or has not applied what it received in time."""


@dataclass(frozen=True)
class Promotion:
    received: str  # the last GTIDs it had received from the old primary
    gtid: str  # where the new primary's history stands


def promote_replica(address: ServerAddress, *, apply_timeout_seconds: int = 300) -> Promotion:
    status = address.query("SHOW SLAVE STATUS")
    if not status:
        raise PromotionError("the server has no replication configured: it is not a replica")
    received = str(status[0].get("Gtid_IO_Pos") or "")
    if received:
        # Everything fetched from the old primary is applied before replication stops: the
        # relay log would be thrown away by RESET SLAVE ALL.
        waited = address.query(
            "SELECT MASTER_GTID_WAIT(%s, %s) AS waited", (received, apply_timeout_seconds)
        )[0]["waited"]
        if waited != 0:
            at = address.query("SELECT @@gtid_slave_pos AS pos")[0]["pos"]
            raise PromotionError(
                f"the replica has received up to {received} but applied only up to {at} after "
                f"{apply_timeout_seconds} s (Last_SQL_Error: {status[0].get('Last_SQL_Error')!r}); "
                "not promoted"
            )
    address.query("STOP SLAVE")
    address.query("RESET SLAVE ALL")
    address.query("SET GLOBAL read_only = OFF")
    gtid = str(address.query("SELECT @@gtid_current_pos AS pos")[0]["pos"])
    return Promotion(received=received, gtid=gtid)
