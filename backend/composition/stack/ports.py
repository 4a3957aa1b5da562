"""Where each part of the local topology listens: `Ports`, every port as a fixed offset from
one base (18000 by default), so an operator knows where each part listens without asking,
and two stacks on one machine only need two bases."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Ports:
    base: int

    @property
    def nginx(self) -> int:
        return self.base + 443

    def app_server(self, n: int) -> int:
        return self.base + 50 + n

    # Room for 20 services: base+100.. serve gRPC, base+200.. their metrics.
    def rpc(self, index: int) -> int:
        return self.base + 100 + index

    def rpc_metrics(self, index: int) -> int:
        return self.base + 200 + index

    @property
    def worker_metrics(self) -> int:
        return self.base + 230

    @property
    def beat_metrics(self) -> int:
        return self.base + 231

    @property
    def relay_metrics(self) -> int:
        return self.base + 232

    @property
    def notifications_metrics(self) -> int:
        return self.base + 233

    @property
    def payments_metrics(self) -> int:
        return self.base + 234

    @property
    def primary(self) -> int:
        return self.base + 306

    @property
    def replica(self) -> int:
        return self.base + 307

    @property
    def redis(self) -> int:
        return self.base + 379

    @property
    def rabbitmq(self) -> int:
        return self.base + 672

    @property
    def rabbitmq_distribution(self) -> int:
        return self.base + 673

    @property
    def rabbitmq_metrics(self) -> int:
        return self.base + 692

    @property
    def mysqld_exporter_primary(self) -> int:
        return self.base + 140

    @property
    def mysqld_exporter_replica(self) -> int:
        return self.base + 141

    @property
    def redis_exporter(self) -> int:
        return self.base + 142

    @property
    def prometheus(self) -> int:
        return self.base + 90
