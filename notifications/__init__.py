"""Notification service: outbox relay, RabbitMQ consumers and delivery channels."""
