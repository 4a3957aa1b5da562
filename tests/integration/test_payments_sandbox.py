"""The payment-gateway sandbox, driven by the official stripe SDK over real HTTP on 127.0.0.1.

It stands in for Stripe in the payment service's tests and in the demo, so what is checked here
is what the service relies on: Stripe's objects, errors and idempotency; webhooks signed so the
SDK's own verifier accepts them; and every fault control doing what it says."""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast

import pytest
import stripe

from backend.payments.sandbox import SandboxGateway

KEY = "sk_test_sandbox_suite"
SECRET = "whsec_current"
OLD_SECRET = "whsec_previous"


def eventually(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


class Receiver:
    """A webhook endpoint that records what it is sent; it answers 500 to the next `failures`."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.received: list[tuple[str, bytes]] = []  # (Stripe-Signature, raw body), 2xx answers only
        self.failures = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    failing = receiver.failures > 0
                    receiver.failures -= failing
                    if not failing:
                        receiver.received.append((self.headers["Stripe-Signature"], body))
                self.send_response(500 if failing else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhooks/stripe"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def events(self) -> list[dict[str, Any]]:
        with self.lock:
            return [json.loads(body) for _, body in self.received]

    def ids(self, event_type: str | None = None) -> list[str]:
        return [e["id"] for e in self.events() if event_type is None or e["type"] == event_type]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(autouse=True)
def fast_sdk_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    # The SDK waits 0.5 s and more between retries; same retry logic, shorter waits.
    monkeypatch.setattr(stripe.HTTPClient, "INITIAL_DELAY", 0.02)
    monkeypatch.setattr(stripe.HTTPClient, "MAX_DELAY", 0.1)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    endpoint = Receiver()
    yield endpoint
    endpoint.close()


@pytest.fixture
def gateway(receiver: Receiver) -> Iterator[SandboxGateway]:
    with SandboxGateway(KEY, webhook_url=receiver.url, webhook_secrets=(SECRET,),
                        webhook_retry_base=0.02) as g:
        yield g


def sdk(gateway: SandboxGateway, retries: int = 0, timeout: float = 10.0) -> stripe.StripeClient:
    return stripe.StripeClient(KEY, base_addresses={"api": gateway.url}, max_network_retries=retries,
                               http_client=stripe.RequestsClient(timeout=timeout))


@pytest.fixture
def client(gateway: SandboxGateway) -> stripe.StripeClient:
    return sdk(gateway)


def pay(client: stripe.StripeClient, method: str = "pm_card_visa", amount: int = 1000, key: str | None = None,
        **extra: Any) -> stripe.PaymentIntent:
    params: dict[str, Any] = {"amount": amount, "currency": "usd", "payment_method": method, "confirm": True,
                              **extra}
    return client.v1.payment_intents.create(params=cast(Any, params),
                                            options={"idempotency_key": key} if key else {})


def ident(value: object) -> str:
    """An expandable field (`latest_charge`, `balance_transaction`) left as the id it is by default."""
    assert isinstance(value, str)
    return value


# -- collections ---------------------------------------------------------------------------------------
def test_a_card_payment_succeeds_at_once_with_its_charge_and_fee(client: stripe.StripeClient,
                                                                 gateway: SandboxGateway) -> None:
    customer = client.v1.customers.create(params={"email": "lp@example.com", "metadata": {"investor": "7"}})
    intent = pay(client, customer=customer.id, metadata={"attempt": "a-1"})
    assert intent.id.startswith("pi_") and intent.status == "succeeded" and intent.amount_received == 1000
    assert intent.customer == customer.id and intent.livemode is False and intent.metadata["attempt"] == "a-1"
    charge = client.v1.charges.retrieve(ident(intent.latest_charge))
    assert charge.id.startswith("ch_") and charge.status == "succeeded"
    assert charge.metadata["attempt"] == "a-1"
    details = charge.payment_method_details
    assert details is not None and details.card is not None and details.card.last4 == "4242"
    txn = client.v1.balance_transactions.retrieve(ident(charge.balance_transaction))
    assert (txn.type, txn.amount, txn.fee, txn.net, txn.source) == ("charge", 1000, 39, 961, charge.id)
    assert [c["id"] for c in gateway.charges_for("attempt", "a-1")] == [charge.id]


@pytest.mark.parametrize(("method", "decline_code"), [
    ("pm_card_chargeDeclined", "generic_decline"),
    ("pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds"),
])
def test_a_declined_card_is_a_402_and_the_intent_can_be_paid_again(
        client: stripe.StripeClient, gateway: SandboxGateway, method: str, decline_code: str) -> None:
    with pytest.raises(stripe.CardError) as declined:
        pay(client, method, metadata={"attempt": "d"})
    error = declined.value
    assert error.http_status == 402 and error.code == "card_declined"
    assert error.error is not None and error.error.decline_code == decline_code
    intent_id = error.json_body["error"]["payment_intent"]["id"]  # type: ignore[index]
    intent = client.v1.payment_intents.retrieve(intent_id)
    assert intent.status == "requires_payment_method"
    assert intent.last_payment_error is not None and intent.last_payment_error.decline_code == decline_code
    assert gateway.charges_for("attempt", "d") == []
    paid = client.v1.payment_intents.confirm(intent_id, params={"payment_method": "pm_card_mastercard"})
    assert paid.status == "succeeded" and len(gateway.charges_for("attempt", "d")) == 1


def test_a_wrong_or_missing_api_key_is_a_401(gateway: SandboxGateway) -> None:
    wrong = stripe.StripeClient("sk_test_not_the_key", base_addresses={"api": gateway.url})
    with pytest.raises(stripe.AuthenticationError) as refused:
        wrong.v1.customers.create()
    assert refused.value.http_status == 401
    connection = http.client.HTTPConnection("127.0.0.1", gateway.port, timeout=5)
    try:
        connection.request("GET", "/v1/events")  # no Authorization header at all
        response = connection.getresponse()
        assert response.status == 401
        assert json.loads(response.read())["error"]["type"] == "invalid_request_error"
    finally:
        connection.close()
    assert gateway.objects("customer") == []


def test_a_bank_debit_processes_until_settled(client: stripe.StripeClient, gateway: SandboxGateway,
                                              receiver: Receiver) -> None:
    intent = pay(client, "pm_usBankAccount_success", amount=100_000, metadata={"attempt": "b-1"})
    assert intent.status == "processing" and intent.payment_method_types == ["us_bank_account"]
    assert [c["status"] for c in gateway.charges_for("attempt", "b-1")] == ["pending"]
    settled = gateway.settle(intent.id, "succeeded")
    assert settled["status"] == "succeeded"
    charge = client.v1.charges.retrieve(settled["latest_charge"], params={"expand": ["balance_transaction"]})
    assert isinstance(charge.balance_transaction, stripe.BalanceTransaction)
    # 0.8% of 1,000.00 is 8.00, capped at 5.00
    assert charge.status == "succeeded" and charge.balance_transaction.fee == 500
    assert eventually(lambda: intent.id in [e["data"]["object"]["id"] for e in receiver.events()
                                            if e["type"] == "payment_intent.succeeded"])
    wanted = ["payment_intent.processing", "payment_intent.succeeded"]
    listed = client.v1.events.list(params={"types": wanted})
    assert [e.type for e in listed.data] == ["payment_intent.succeeded", "payment_intent.processing"]
    assert all(e.data.object.id == intent.id for e in listed.data)


def test_a_bank_debit_can_fail_while_processing(client: stripe.StripeClient, gateway: SandboxGateway) -> None:
    intent = pay(client, "pm_usBankAccount_failure", amount=5_000, metadata={"attempt": "b-2"})
    failed = gateway.settle(intent.id)  # as the test account says: returned
    assert failed["status"] == "requires_payment_method"
    assert failed["last_payment_error"]["decline_code"] == "account_closed"
    assert [e["data"]["object"]["id"] for e in gateway.events("payment_intent.payment_failed")] == [intent.id]
    assert gateway.charges_for("attempt", "b-2") == []
    assert client.v1.balance_transactions.list().data == []
    manual = pay(client, "pm_usBankAccount_success", amount=5_000)
    assert gateway.settle(manual.id, "failed")["status"] == "requires_payment_method"


def test_a_settled_sepa_debit_can_be_disputed(client: stripe.StripeClient, gateway: SandboxGateway) -> None:
    intent = pay(client, "pm_sepaDebit_dispute", amount=20_000, currency="eur")
    assert gateway.settle(intent.id)["status"] == "succeeded"
    [dispute] = [e["data"]["object"] for e in gateway.events("charge.dispute.created")]
    assert dispute["payment_intent"] == intent.id and dispute["status"] == "lost"
    kinds = {t.type: (t.amount, t.fee) for t in client.v1.balance_transactions.list().data}
    assert kinds == {"charge": (20_000, 160), "adjustment": (-20_000, 1500)}
    card = pay(client)
    assert gateway.dispute(card.id)["status"] == "needs_response"
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.refunds.create(params={"payment_intent": card.id})


def test_the_auto_settle_timer_finishes_bank_debits_for_the_demo() -> None:
    with SandboxGateway(KEY, bank_settle_after=0.05) as demo:
        intent = pay(sdk(demo), "pm_sepaDebit_success", amount=5_000, currency="eur")
        assert eventually(lambda: (demo.get(intent.id) or {}).get("status") == "succeeded")


def test_refunds_full_partial_and_too_much(client: stripe.StripeClient, gateway: SandboxGateway) -> None:
    intent = pay(client, amount=1000)
    partial = client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 300})
    assert partial.id.startswith("re_") and partial.amount == 300 and partial.status == "succeeded"
    with pytest.raises(stripe.InvalidRequestError) as too_much:
        client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 701})
    assert too_much.value.code == "amount_too_large" and too_much.value.param == "amount"
    rest = client.v1.refunds.create(params={"payment_intent": intent.id})
    assert rest.amount == 700
    charge = client.v1.charges.retrieve(ident(intent.latest_charge))
    assert charge.amount_refunded == 1000 and charge.refunded is True
    with pytest.raises(stripe.InvalidRequestError) as again:
        client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 1})
    assert again.value.code == "charge_already_refunded"
    refunds = client.v1.balance_transactions.list(params={"type": "refund"}).data
    assert sorted(t.amount for t in refunds) == [-700, -300]
    assert [e["data"]["object"]["amount_refunded"] for e in gateway.events("charge.refunded")] == [300, 1000]


# -- payouts -------------------------------------------------------------------------------------------
def test_a_transfer_to_an_investor_and_its_failure(client: stripe.StripeClient,
                                                   gateway: SandboxGateway) -> None:
    account = client.v1.accounts.create(params={"type": "custom", "country": "US",
                                                "external_account": "btok_us_verified"})
    assert account.external_accounts is not None
    bank = account.external_accounts.data[0]
    assert isinstance(bank, stripe.BankAccount) and account.id.startswith("acct_")
    assert (bank.bank_name, bank.last4, bank.country) == ("STRIPE TEST BANK", "6789", "US")
    transfer = client.v1.transfers.create(params={
        "amount": 5000, "currency": "usd", "destination": account.id, "transfer_group": "dist-1",
        "metadata": {"payout": "p-1"}})
    assert transfer.id.startswith("tr_") and transfer.reversed is False
    reversed_ = gateway.fail_transfer(transfer.id)
    assert reversed_["reversed"] is True and reversed_["amount_reversed"] == 5000
    assert client.v1.transfers.retrieve(transfer.id).reversed is True
    assert [e["type"] for e in gateway.events() if e["type"].startswith("transfer.")] == [
        "transfer.created", "transfer.reversed"]
    moves = {t.type: t.amount for t in client.v1.balance_transactions.list().data}
    assert moves == {"transfer": -5000, "transfer_refund": 5000}
    with pytest.raises(stripe.InvalidRequestError) as nowhere:
        client.v1.transfers.create(params={"amount": 1, "currency": "usd", "destination": "acct_nobody"})
    assert nowhere.value.param == "destination"


# -- idempotency ---------------------------------------------------------------------------------------
def test_the_same_key_replays_the_first_answer_and_creates_nothing(client: stripe.StripeClient,
                                                                  gateway: SandboxGateway) -> None:
    first = pay(client, key="call-7-investor-3", metadata={"attempt": "i-1"})
    again = pay(client, key="call-7-investor-3", metadata={"attempt": "i-1"})
    assert again.id == first.id
    assert first.last_response is not None and again.last_response is not None
    assert again.last_response.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.last_response.headers
    assert again.last_response.body == first.last_response.body  # byte for byte
    assert len(gateway.objects("payment_intent")) == 1 and len(gateway.charges_for("attempt", "i-1")) == 1
    with pytest.raises(stripe.IdempotencyError) as reused:
        pay(client, key="call-7-investor-3", amount=2000)
    assert reused.value.http_status == 400
    assert len(gateway.objects("payment_intent")) == 1


def test_a_key_is_forgotten_after_24_hours(client: stripe.StripeClient, gateway: SandboxGateway) -> None:
    first = pay(client, key="k-expiring")
    gateway.advance_clock(24 * 3600 + 1)
    later = pay(client, key="k-expiring", amount=2000)
    assert later.id != first.id and later.created >= first.created + 24 * 3600


def test_a_key_still_running_answers_409(gateway: SandboxGateway) -> None:
    gateway.faults.timeout_next(seconds=0.5, path="/v1/payment_intents", method="POST")
    body = "amount=1000&currency=usd&payment_method=pm_card_visa&confirm=true"
    headers = {"Authorization": f"Bearer {KEY}", "Idempotency-Key": "slow-1",
               "Content-Type": "application/x-www-form-urlencoded"}

    def post() -> tuple[int, dict[str, Any], str | None]:
        connection = http.client.HTTPConnection("127.0.0.1", gateway.port, timeout=5)
        try:
            connection.request("POST", "/v1/payment_intents", body=body, headers=headers)
            response = connection.getresponse()
            return response.status, json.loads(response.read()), response.getheader("Idempotent-Replayed")
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        slow = pool.submit(post)
        assert eventually(lambda: gateway.idempotency.in_progress("slow-1"))
        status, error, _ = post()
        assert status == 409 and error["error"]["type"] == "idempotency_error"
        assert slow.result()[0] == 200
    status, replayed, header = post()
    assert status == 200 and header == "true" and replayed["id"] == slow.result()[1]["id"]


# -- faults in the API ---------------------------------------------------------------------------------
def test_a_500_before_processing_is_retried_by_the_sdk_and_charges_once(gateway: SandboxGateway) -> None:
    gateway.faults.fail_next(path="/v1/payment_intents", method="POST")
    with pytest.raises(stripe.APIError):
        pay(sdk(gateway), key="no-retry", metadata={"attempt": "f-0"})
    assert gateway.objects("payment_intent") == []
    gateway.faults.fail_next(2, path="/v1/payment_intents", method="POST")
    intent = pay(sdk(gateway, retries=3), metadata={"attempt": "f-1"})  # the SDK's own key, reused on retry
    assert intent.status == "succeeded"
    assert gateway.request_count("/v1/payment_intents", "POST") == 4
    assert len(gateway.charges_for("attempt", "f-1")) == 1 and gateway.faults.armed == 0


def test_accepted_then_500_retried_with_the_same_key_returns_the_original(gateway: SandboxGateway) -> None:
    gateway.faults.accept_then_fail(path="/v1/payment_intents", method="POST")
    with pytest.raises(stripe.APIError) as crashed:
        pay(sdk(gateway), key="crash-1", metadata={"attempt": "c-1"})
    assert crashed.value.http_status == 500
    [created] = gateway.objects("payment_intent")  # it was charged, though the caller saw a 500
    recovered = pay(sdk(gateway), key="crash-1", metadata={"attempt": "c-1"})
    assert recovered.id == created["id"] and recovered.status == "succeeded"
    assert recovered.last_response is not None
    assert recovered.last_response.headers["Idempotent-Replayed"] == "true"
    gateway.faults.accept_then_fail(path="/v1/payment_intents", method="POST")
    automatic = pay(sdk(gateway, retries=2), metadata={"attempt": "c-2"})
    assert len(gateway.charges_for("attempt", "c-1")) == 1 and len(gateway.charges_for("attempt", "c-2")) == 1
    assert automatic.id != recovered.id and len(gateway.objects("payment_intent")) == 2


def test_a_client_timeout_then_retry_finds_the_payment_made_once(gateway: SandboxGateway) -> None:
    gateway.faults.timeout_next(seconds=0.6, path="/v1/payment_intents", method="POST")
    started = time.monotonic()
    # Retries answered 409 while the first attempt runs; enough of them to outlast it with any jitter.
    intent = pay(sdk(gateway, retries=25, timeout=0.2), metadata={"attempt": "t-1"})
    assert time.monotonic() - started >= 0.6  # it got the answer only once the slow request finished
    assert intent.status == "succeeded" and len(gateway.charges_for("attempt", "t-1")) == 1
    assert gateway.request_count("/v1/payment_intents", "POST") >= 2


def test_latency_slows_every_request(client: stripe.StripeClient, gateway: SandboxGateway) -> None:
    # Long enough that a busy machine cannot make a plain request look as slow as a delayed one.
    gateway.faults.set_latency(0.8, path="/v1/customers")
    started = time.monotonic()
    client.v1.customers.create()
    assert time.monotonic() - started >= 0.8
    gateway.faults.clear()
    started = time.monotonic()
    client.v1.customers.create()
    assert time.monotonic() - started < 0.8


def test_down_refuses_connections_and_up_serves_again_on_the_same_port(gateway: SandboxGateway) -> None:
    url = gateway.url
    gateway.down()
    assert not gateway.is_up
    with pytest.raises(stripe.APIConnectionError):
        sdk(gateway).v1.customers.create()
    gateway.up()
    assert gateway.url == url and sdk(gateway).v1.customers.create().id.startswith("cus_")
    gateway.down(for_seconds=0.15)
    customer = sdk(gateway, retries=8).v1.customers.create(params={"name": "patient"})
    assert customer.name == "patient" and gateway.is_up


# -- webhooks ------------------------------------------------------------------------------------------
def test_webhooks_verify_with_the_sdk_and_with_either_rotated_secret(client: stripe.StripeClient,
                                                                   gateway: SandboxGateway,
                                                                   receiver: Receiver) -> None:
    intent = pay(client)
    assert eventually(lambda: len(receiver.ids("payment_intent.succeeded")) == 1)
    header, body = next((h, b) for h, b in receiver.received if b"payment_intent.succeeded" in b)
    event = stripe.Webhook.construct_event(body, header, SECRET)
    assert event.type == "payment_intent.succeeded" and event.data.object.id == intent.id
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, header, OLD_SECRET)
    gateway.webhooks.configure(receiver.url, (SECRET, OLD_SECRET))
    client.v1.customers.create()
    assert eventually(lambda: len(receiver.ids("customer.created")) == 1)
    header, body = next((h, b) for h, b in receiver.received if b"customer.created" in b)
    assert header.count("v1=") == 2
    for secret in (SECRET, OLD_SECRET):
        assert stripe.Webhook.construct_event(body, header, secret).type == "customer.created"


def test_deliveries_are_retried_until_the_endpoint_answers(
        client: stripe.StripeClient, gateway: SandboxGateway, receiver: Receiver) -> None:
    receiver.failures = 2
    customer = client.v1.customers.create()
    assert eventually(lambda: receiver.ids("customer.created") != [])
    # The receiver answers before the sandbox writes down its attempt: wait for the record.
    assert eventually(lambda: len(gateway.webhooks.records) == 3)
    attempts = [(r.attempt, r.status) for r in gateway.webhooks.records]
    assert attempts == [(1, 500), (2, 500), (3, 200)]
    assert receiver.events()[0]["data"]["object"]["id"] == customer.id


def test_each_event_can_be_delivered_twice(client: stripe.StripeClient, gateway: SandboxGateway,
                                           receiver: Receiver) -> None:
    gateway.webhooks.duplicate()
    client.v1.customers.create()
    client.v1.customers.create()
    assert gateway.webhooks.wait_idle(5)
    ids = receiver.ids()
    assert len(ids) == 4 and sorted(set(ids)) == sorted(e["id"] for e in gateway.events())
    assert all(ids.count(i) == 2 for i in ids)


def test_held_events_arrive_on_release_in_reverse_order(client: stripe.StripeClient, gateway: SandboxGateway,
                                                        receiver: Receiver) -> None:
    gateway.webhooks.hold()
    gateway.webhooks.set_order("reverse")
    for _ in range(4):
        client.v1.customers.create()
    assert not gateway.webhooks.wait_idle(0.1) and receiver.received == []
    gateway.webhooks.release()
    assert gateway.webhooks.wait_idle(5)
    assert receiver.ids() == [e["id"] for e in reversed(gateway.events())]


def test_a_shuffled_order_is_the_same_for_the_same_seed(receiver: Receiver) -> None:
    orders = []
    for _ in range(2):
        with SandboxGateway(KEY, webhook_url=receiver.url, webhook_secrets=(SECRET,), seed=7,
                            background_webhooks=False) as manual:
            manual.webhooks.set_order("shuffle")
            client = sdk(manual)
            for name in "abcdefgh":
                client.v1.customers.create(params={"name": name})
            assert receiver.received == [] and manual.webhooks.pending == 8
            records = manual.webhooks.deliver_pending()
            assert all(r.ok for r in records)
            orders.append("".join(e["data"]["object"]["name"] for e in receiver.events()))
            receiver.received.clear()
    assert orders[0] == orders[1] and sorted(orders[0]) == list("abcdefgh") and orders[0] != "abcdefgh"


def test_a_dropped_event_is_found_by_polling_events(client: stripe.StripeClient, gateway: SandboxGateway,
                                                    receiver: Receiver) -> None:
    gateway.webhooks.drop_next(1, "payment_intent.succeeded")
    intent = pay(client)
    assert gateway.webhooks.wait_idle(5)
    assert receiver.ids("payment_intent.succeeded") == [] and receiver.ids("charge.succeeded") != []
    since = gateway.events()[0]["created"]
    polled = client.v1.events.list(params={"type": "payment_intent.succeeded", "created": {"gte": since}})
    assert [e.data.object.id for e in polled.data] == [intent.id]
    assert gateway.webhooks.dropped == [polled.data[0].id]


def test_a_replay_resends_the_original_timestamp(client: stripe.StripeClient, gateway: SandboxGateway,
                                                 receiver: Receiver) -> None:
    client.v1.customers.create()
    assert eventually(lambda: len(receiver.received) == 1)
    original_header, _ = receiver.received[0]
    gateway.advance_clock(3600)
    client.v1.customers.create()
    event_id = receiver.ids()[0]
    gateway.webhooks.replay(event_id)
    assert eventually(lambda: len(receiver.received) == 3)
    assert receiver.received[2][0] == original_header and receiver.ids()[2] == event_id
    fresh_t = int(receiver.received[1][0].split(",")[0][2:])
    assert fresh_t >= int(original_header.split(",")[0][2:]) + 3600


def test_a_delay_holds_each_event_back(client: stripe.StripeClient, gateway: SandboxGateway,
                                       receiver: Receiver) -> None:
    gateway.webhooks.delay(0.3)
    started = time.monotonic()
    client.v1.customers.create()
    assert eventually(lambda: len(receiver.received) == 1)
    assert time.monotonic() - started >= 0.3


# -- reads: lists, search, balance transactions --------------------------------------------------------
def test_balance_transactions_carry_fees_and_page(client: stripe.StripeClient,
                                                  gateway: SandboxGateway) -> None:
    for amount in (1000, 2000, 12345):
        pay(client, amount=amount)
    bank = pay(client, "pm_usBankAccount_success", amount=10_000)
    gateway.settle(bank.id, "succeeded")
    fees = {t.amount: t.fee for t in client.v1.balance_transactions.list().data}
    assert fees == {1000: 39, 2000: 53, 12345: 198, 10_000: 80}  # 1.4% + 25 on cards, 0.8% on banks
    first = client.v1.balance_transactions.list(params={"limit": 3})
    assert len(first.data) == 3 and first.has_more
    rest = client.v1.balance_transactions.list(params={"limit": 3, "starting_after": first.data[-1].id})
    assert len(rest.data) == 1 and not rest.has_more
    assert [t.amount for t in first.data] + [rest.data[0].amount] == [10_000, 12345, 2000, 1000]
    assert len(list(first.auto_paging_iter())) == 4
    now = gateway.advance_clock(600)
    pay(client, amount=5000)
    recent = client.v1.balance_transactions.list(params={"created": {"gte": now}})
    assert [t.amount for t in recent.data] == [5000] and recent.data[0].net == 5000 - 95


def test_search_finds_an_attempt_by_its_metadata(client: stripe.StripeClient,
                                                 gateway: SandboxGateway) -> None:
    wanted = pay(client, metadata={"attempt": "s-2", "call": "c9"})
    pay(client, metadata={"attempt": "s-1", "call": "c9"})
    found = client.v1.payment_intents.search(params={"query": "metadata['attempt']:'s-2'"})
    assert [i.id for i in found.data] == [wanted.id]
    both = client.v1.payment_intents.search(params={"query": "metadata['call']:'c9' AND status:'succeeded'"})
    assert len(both.data) == 2
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.payment_intents.search(params={"query": "metadata['call']"})
    gateway.set_search_lag(60)
    late = pay(client, metadata={"attempt": "s-3"})
    assert client.v1.payment_intents.search(params={"query": "metadata['attempt']:'s-3'"}).data == []
    gateway.advance_clock(61)
    assert [i.id for i in client.v1.payment_intents.search(
        params={"query": "metadata['attempt']:'s-3'"}).data] == [late.id]


def test_intents_list_by_customer_newest_first(client: stripe.StripeClient) -> None:
    ana, bo = client.v1.customers.create(), client.v1.customers.create()
    mine = [pay(client, customer=ana.id).id for _ in range(3)]
    pay(client, customer=bo.id)
    page = client.v1.payment_intents.list(params={"customer": ana.id, "limit": 2})
    assert [i.id for i in page.data] == mine[:0:-1] and page.has_more
    assert [i.id for i in page.auto_paging_iter()] == mine[::-1]


def test_payment_methods_attach_detach_and_list(client: stripe.StripeClient, gateway: SandboxGateway) -> None:
    customer = client.v1.customers.create()
    card = client.v1.payment_methods.create(params={"type": "card", "card": {"token": "tok_mastercard"}})
    assert card.card is not None and (card.card.brand, card.card.last4) == ("mastercard", "4444")
    client.v1.payment_methods.attach(card.id, params={"customer": customer.id})
    visa = client.v1.payment_methods.attach("pm_card_visa", params={"customer": customer.id})
    assert visa.id.startswith("pm_") and visa.id != "pm_card_visa" and visa.customer == customer.id
    listed = client.v1.customers.payment_methods.list(customer.id)
    assert {m.id for m in listed.data} == {card.id, visa.id}
    client.v1.payment_methods.detach(card.id)
    assert [m.id for m in client.v1.customers.payment_methods.list(customer.id).data] == [visa.id]
    other = client.v1.customers.create()
    with pytest.raises(stripe.InvalidRequestError):
        pay(client, visa.id, customer=other.id)


def test_cancel_only_what_has_not_been_paid(client: stripe.StripeClient, gateway: SandboxGateway) -> None:
    open_ = client.v1.payment_intents.create(params={"amount": 5000, "currency": "usd"})
    canceled = client.v1.payment_intents.cancel(open_.id)
    assert canceled.status == "canceled" and gateway.events("payment_intent.canceled") != []
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.payment_intents.cancel(pay(client).id)
    assert refused.value.code == "payment_intent_unexpected_state"


def test_unknown_parameters_and_fractional_amounts_are_refused(client: stripe.StripeClient,
                                                             gateway: SandboxGateway) -> None:
    with pytest.raises(stripe.InvalidRequestError) as typo:
        client.v1.payment_intents.create(params=cast(Any, {"amount": 1000, "currency": "usd",
                                                           "metdata": {"a": "1"}}))
    assert typo.value.param == "metdata"
    with pytest.raises(stripe.InvalidRequestError) as fraction:
        client.v1.payment_intents.create(params={"amount": "10.50", "currency": "usd"})  # type: ignore[typeddict-item]
    assert fraction.value.param == "amount"
    assert gateway.objects("payment_intent") == []


def test_no_full_card_or_account_number_is_ever_echoed(client: stripe.StripeClient, gateway: SandboxGateway,
                                                       receiver: Receiver) -> None:
    pan, account, iban = "4242424242424242", "000123456789", "DE89370400440532013000"
    with pytest.raises(stripe.InvalidRequestError) as raw_card:
        client.v1.payment_methods.create(params={"type": "card", "card": {"number": pan}})  # type: ignore[typeddict-item]
    with pytest.raises(stripe.InvalidRequestError) as misplaced:
        client.v1.payment_methods.create(params={"type": "card", "card": {"token": pan}})
    ach = client.v1.payment_methods.create(params={"type": "us_bank_account", "us_bank_account": {
        "account_number": account, "routing_number": "110000000", "account_holder_type": "individual"}})
    sepa = client.v1.payment_methods.create(params={"type": "sepa_debit", "sepa_debit": {"iban": iban}})
    assert ach.us_bank_account is not None and ach.us_bank_account.last4 == "6789"
    assert sepa.sepa_debit is not None and (sepa.sepa_debit.last4, sepa.sepa_debit.country) == ("3000", "DE")
    pay(client, ach.id, amount=5_000)
    pay(client, "pm_card_visa")
    assert gateway.webhooks.wait_idle(5)
    said = [str(raw_card.value.http_body), str(misplaced.value.http_body),
            str(ach.last_response.body if ach.last_response else ""), json.dumps(gateway.events()),
            *(body.decode() for _, body in receiver.received),
            *(json.dumps(gateway.objects(kind)) for kind in ("payment_method", "charge", "payment_intent"))]
    assert not [number for number in (pan, account, iban) for text in said if number in text]


# -- load ----------------------------------------------------------------------------------------------
def test_concurrent_payments_are_each_charged_once_and_each_announced(gateway: SandboxGateway,
                                                                     receiver: Receiver) -> None:
    client = sdk(gateway, retries=2)
    count = 300

    def one(n: int) -> str:
        return pay(client, key=f"load-{n}", metadata={"attempt": f"load-{n}"}).id

    with ThreadPoolExecutor(16) as pool:
        ids = list(pool.map(one, range(count)))
    assert len(set(ids)) == count
    assert all(len(gateway.charges_for("attempt", f"load-{n}")) == 1 for n in range(count))
    assert eventually(lambda: len(receiver.ids("payment_intent.succeeded")) == count, timeout=15)
    assert set(receiver.ids("payment_intent.succeeded")) == {
        e["id"] for e in gateway.events("payment_intent.succeeded")}
    assert {e["data"]["object"]["id"] for e in gateway.events("payment_intent.succeeded")} == set(ids)
