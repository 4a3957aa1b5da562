"""The report service over gRPC: its contract (ReportService in reports/interface.py, as
investment_pools.reports.v1.ReportService) and a client implementing the Protocol.

Returns and ratios (`Measure`) travel as protobuf doubles, bit for bit, and a statement's
workbook as bytes. Everything but storing benchmarks, their levels and FX rates is a read
(computing a report at most fills a cache), so retried when the service is briefly
unavailable. The snapshot store (SnapshotStore) is not part of it: a full recompute reports
its progress through a callback, so the snapshots run beside the worker's own copy of the
service, and forgetting a deleted pool's reports joins the pool service's transaction."""

from __future__ import annotations

from types import ModuleType
from typing import ClassVar

from backend.platform.rpc.client import RpcClient, remote
from backend.platform.rpc.contract import ServiceContract
from backend.protos.investment_pools.reports.v1 import reports_pb2
from reports.interface import ReportService

REPORTS = ServiceContract(
    "reports",
    ReportService,
    reads=frozenset(
        {
            "pool_performance",
            "nav_history",
            "investor_performance",
            "statement",
            "statement_xlsx",
            "recomputable_pools",
            "recomputable",
            "compute_pool_performance",
            "compute_investor_performance",
            "compute_statement",
            "list_benchmarks",
            "get_benchmark",
            "levels",
            "pool_benchmark",
            "list_fx_rates",
            "fx_rates_in_force",
            "fx_quotes",
        }
    ),
)


class ReportServiceClient(RpcClient):
    contract = REPORTS
    messages: ClassVar[ModuleType] = reports_pb2

    pool_performance = remote(ReportService.pool_performance)
    nav_history = remote(ReportService.nav_history)
    investor_performance = remote(ReportService.investor_performance)
    statement = remote(ReportService.statement)
    statement_xlsx = remote(ReportService.statement_xlsx)
    recomputable_pools = remote(ReportService.recomputable_pools)
    recomputable = remote(ReportService.recomputable)
    compute_pool_performance = remote(ReportService.compute_pool_performance)
    compute_investor_performance = remote(ReportService.compute_investor_performance)
    compute_statement = remote(ReportService.compute_statement)
    create_benchmark = remote(ReportService.create_benchmark)
    list_benchmarks = remote(ReportService.list_benchmarks)
    get_benchmark = remote(ReportService.get_benchmark)
    load_levels = remote(ReportService.load_levels)
    levels = remote(ReportService.levels)
    set_pool_benchmark = remote(ReportService.set_pool_benchmark)
    pool_benchmark = remote(ReportService.pool_benchmark)
    load_fx_rates = remote(ReportService.load_fx_rates)
    list_fx_rates = remote(ReportService.list_fx_rates)
    fx_rates_in_force = remote(ReportService.fx_rates_in_force)
    fx_quotes = remote(ReportService.fx_quotes)
