"""One worker process for tests/worker/test_processes.py.

`python -m tests.worker.drain URL API_URL RATE`: `percorso worker`'s Telegram channel loop (the
real Worker, dispatcher, sender and shared limits; the key from PERCORSO_SECRET_KEY) on the
given database and Bot API. It prints "ready" once everything is imported and built, starts
when its standard input closes (so that two processes begin together, however long each took
to start), runs until nothing is pending on the channel, and prints how many messages it sent.
"""

import sys
import time

from sqlalchemy import Engine
from sqlmodel import Session, func, select

from bot.clock import wall_clock
from bot.delivery.outbound import Outbound, Recipient
from bot.delivery.policy import DeliveryPolicy
from bot.delivery.worker import Channel, Worker
from bot.entry.senders import channel_senders
from bot.settings import Settings
from storage.crypto import Cipher
from storage.db import make_engine, use_cipher
from storage.models import Outbox
from tests.fakes.telegram_server import TOKEN

SAFETY = 60.0  # seconds: only ends a hung run


def pending(engine: Engine) -> int:
    with Session(engine) as db:
        return db.exec(select(func.count()).select_from(Outbox).where(
            Outbox.channel == "telegram", Outbox.status == "pending")).one()  # fmt: skip


def main(url: str, api_url: str, rate: float) -> None:
    settings = Settings(database_url=url, telegram_token=TOKEN, telegram_api_url=api_url,
                        telegram_rate_overall=rate, telegram_rate_per_chat=1000.0)  # fmt: skip
    engine = make_engine(url)
    use_cipher(engine, Cipher.from_key(settings.secret_key_value or ""))
    sender = channel_senders(settings, wall_clock, engine)["telegram"]
    sent: list[int] = []

    def counting(recipient: Recipient, message: Outbound) -> str | None:
        external_id = sender(recipient, message)
        sent.append(recipient.outbox_id or 0)
        return external_id

    paced = rate * settings.rate_margin  # as bot.entry.worker.channels paces it
    worker = Worker(engine, wall_clock, DeliveryPolicy(), settings,
                    [Channel("telegram", counting, paced, max(10, int(2 * paced)))])  # fmt: skip
    print("ready", flush=True)
    sys.stdin.read()
    worker.start()
    deadline = time.time() + SAFETY
    while pending(engine) and time.time() < deadline:
        worker.wake()
        time.sleep(0.2)
    worker.stop()
    print(len(sent))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]))
