"""The investors service over gRPC: its contract (the Protocol in backend/investors/interface.py,
as investment_pools.investors.v1.InvestorService) and a client implementing the Protocol."""

from __future__ import annotations

from types import ModuleType
from typing import ClassVar

from backend.investors.interface import InvestorService
from backend.platform.rpc.client import RpcClient, remote
from backend.platform.rpc.contract import ServiceContract
from backend.protos.investment_pools.investors.v1 import investors_pb2

INVESTORS = ServiceContract(
    "investors",
    InvestorService,
    reads=frozenset(
        {
            "get_investor",
            "legal_names",
            "list_investors",
            "require_kyc_approved",
            "kyc_status",
            "kyc_statuses",
            "addressees",
            "investor_for_user",
            "phones_of_users",
            "list_commitments",
            "commitments_for_pool",
            "has_commitments",
            "check_side_letter",
            "list_side_letters",
            "side_letters_for_pool",
            "side_letters_changed_at",
            "participates",
            "participating_pool_ids",
            "participation",
            "holdings",
        }
    ),
)


class InvestorServiceClient(RpcClient):
    contract = INVESTORS
    messages: ClassVar[ModuleType] = investors_pb2

    create_investor = remote(InvestorService.create_investor)
    create_investors = remote(InvestorService.create_investors)
    get_investor = remote(InvestorService.get_investor)
    legal_names = remote(InvestorService.legal_names)
    list_investors = remote(InvestorService.list_investors)
    update_investor = remote(InvestorService.update_investor)
    require_kyc_approved = remote(InvestorService.require_kyc_approved)
    kyc_status = remote(InvestorService.kyc_status)
    kyc_statuses = remote(InvestorService.kyc_statuses)
    addressees = remote(InvestorService.addressees)
    investor_for_user = remote(InvestorService.investor_for_user)
    phones_of_users = remote(InvestorService.phones_of_users)
    create_commitment = remote(InvestorService.create_commitment)
    create_commitments = remote(InvestorService.create_commitments)
    list_commitments = remote(InvestorService.list_commitments)
    commitments_for_pool = remote(InvestorService.commitments_for_pool)
    has_commitments = remote(InvestorService.has_commitments)
    put_side_letter = remote(InvestorService.put_side_letter)
    check_side_letter = remote(InvestorService.check_side_letter)
    delete_side_letter = remote(InvestorService.delete_side_letter)
    list_side_letters = remote(InvestorService.list_side_letters)
    side_letters_for_pool = remote(InvestorService.side_letters_for_pool)
    side_letters_changed_at = remote(InvestorService.side_letters_changed_at)
    participates = remote(InvestorService.participates)
    participating_pool_ids = remote(InvestorService.participating_pool_ids)
    participation = remote(InvestorService.participation)
    holdings = remote(InvestorService.holdings)
