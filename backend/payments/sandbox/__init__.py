"""A Stripe-compatible payment gateway sandbox, with faults on demand, for tests and the demo.

It speaks Stripe's v1 wire format (form-encoded requests, JSON answers, Stripe's errors and
idempotency keys) on 127.0.0.1, so the official `stripe` SDK talks to it unchanged, and it signs
and delivers webhooks as Stripe does. Only the standard library and Werkzeug are imported."""

from backend.payments.sandbox.faults import ApiFaults
from backend.payments.sandbox.gateway import SandboxGateway
from backend.payments.sandbox.webhooks import DeliveryRecord, WebhookDispatcher
from backend.payments.sandbox.wire import ApiError

__all__ = ["ApiError", "ApiFaults", "DeliveryRecord", "SandboxGateway", "WebhookDispatcher"]
