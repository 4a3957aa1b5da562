"""Investor service: investor profiles, KYC status, commitments to pools, participation."""
