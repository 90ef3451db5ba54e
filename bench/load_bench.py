"""Load on the Telegram webhook, side by side in one run: (c) a bare python-telegram-bot webhook
that only echoes (the baseline), (a) SQLite with one `percorso serve` and one `percorso worker`,
(b) PostgreSQL (a fresh database, dropped after) with two of each. Every server is a real
subprocess on loopback; one fake Bot API server (tests/fakes, Telegram's 30 messages in any
second enforced with 429s, as in broadcast_bench) takes every send and keeps the log.

    .venv/bin/python bench/load_bench.py [--quick] [--people 200] [--pg postgresql+psycopg://...]

Simulated people write the answers of tests/e2e/golden/*_words.json (the five languages), one
update after another. Phases, for each set-up:
1. closed loop: `--connections` people at a time through whole intakes, each next update posted
   once the previous one is acknowledged: updates acknowledged per second, and replies the fake
   server accepted per second while the outbox is overloaded (vs the configured 30/s). On (b),
   one worker and one web process are killed with SIGKILL half-way; an update whose post fails
   is posted again to the other web process, as Telegram redelivers.
2. checks (b and a): every acknowledged update recorded once (inbound table), sends the server
   accepted vs rows marked sent per chat (doubles), no overlapping meeting of a counselor and no
   person booked twice for a service.
3. open loop: 40 updates/s from new people on a fixed schedule: webhook latency p50/p99 from the
   scheduled time (no coordinated omission).
4. replies vs a broadcast (not for the echo): the backlog of phase 1 is cancelled, then people
   write at 10 updates/s for a while, first alone and then with a broadcast to everyone of
   phase 1 queued: time from the acknowledgement to the first reply the fake server accepted.
"""

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.broadcast_bench import RateLimitedTelegram  # noqa: E402
from storage.db import make_engine, unit_of_work  # noqa: E402
from storage.models import Outbox  # noqa: E402
from tests.fakes.telegram_server import TOKEN  # noqa: E402

SECRET = "bench-webhook-secret"
LANGS = ("pt", "it", "en", "es", "fr")
PERCORSO = str(ROOT / ".venv" / "bin" / "percorso")
OPEN_RATE = 40.0  # updates a second, phase 3
CALM_RATE = 10.0  # updates a second, phase 4
TELEGRAM_RATE = 30.0  # the configured PERCORSO_TELEGRAM_RATE_OVERALL
LEASE_SECONDS = 20  # a claimed row of a killed process is due again after this (not 300 s)


def inputs() -> dict[str, list[str]]:
    golden = ROOT / "tests" / "e2e" / "golden"
    return {lang: json.loads((golden / f"{lang}_words.json").read_text())["inputs"]
            for lang in LANGS}  # fmt: skip


def update(chat: int, update_id: int, text: str) -> dict[str, Any]:
    user = {"id": chat, "is_bot": False, "first_name": "Ana"}
    message = {"message_id": update_id, "date": int(time.time()), "text": text, "from": user,
               "chat": {"id": chat, "type": "private", "first_name": "Ana"}}  # fmt: skip
    return {"update_id": update_id, "message": message}


# --- the servers, as subprocesses ---------------------------------------------------------


def serve_fake(port: int) -> None:
    """The fake Bot API with its log at GET /log (times are time.monotonic, system-wide)."""
    import uvicorn
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    fake = RateLimitedTelegram()

    async def log(_: object) -> JSONResponse:
        with fake._lock:
            methods = Counter(call.method for call in fake.calls)
            documents = [c.params["chat_id"] for c in fake.calls if c.method == "sendDocument"]
            return JSONResponse({"times": fake.times, "chats": fake.chats, "documents": documents,
                                 "refused": fake.refused, "methods": methods})  # fmt: skip

    fake.app.router.routes.append(Route("/log", log))
    uvicorn.run(fake.app, host="127.0.0.1", port=port, log_level="warning")


def serve_echo(port: int, api: str) -> None:
    """A bare PTB webhook: the update goes on PTB's queue, 200 at once, a handler echoes."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route
    from telegram import Update
    from telegram.ext import Application, MessageHandler, filters

    ptb = (Application.builder().token(TOKEN).base_url(f"{api}/bot").updater(None)
           .concurrent_updates(True).build())  # fmt: skip

    async def echo(update: Update, _: object) -> None:
        await update.message.reply_text(update.message.text)

    ptb.add_handler(MessageHandler(filters.TEXT, echo))

    async def webhook(request: Request) -> Response:
        await ptb.update_queue.put(Update.de_json(await request.json(), ptb.bot))
        return Response()

    async def healthz(_: Request) -> Response:
        return Response()

    @contextlib.asynccontextmanager
    async def lifespan(_: object) -> Any:
        async with ptb:
            await ptb.start()
            yield
            await ptb.stop()

    routes = [Route("/webhooks/telegram", webhook, methods=["POST"]), Route("/healthz", healthz)]
    uvicorn.run(Starlette(routes=routes, lifespan=lifespan), host="127.0.0.1", port=port,
                log_level="warning")  # fmt: skip


_ports = itertools.count(18_700)


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    url: str = ""


@dataclass
class Setup:
    name: str
    database_url: str | None
    webs: list[Process] = field(default_factory=list)
    workers: list[Process] = field(default_factory=list)
    killed: list[str] = field(default_factory=list)
    secret_key: str = field(default_factory=lambda: Fernet.generate_key().decode())


def start(name: str, command: list[str], env: dict[str, str], log_dir: Path) -> Process:
    log = (log_dir / f"{name}.log").open("w")
    popen = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    return Process(name, popen)


def wait_healthy(process: Process, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            raise RuntimeError(f"{process.name} exited with {process.popen.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{process.url}/healthz", timeout=2).status_code == 200:
                return
        time.sleep(0.3)
    raise RuntimeError(f"{process.name} not healthy after {timeout} s")


def percorso_env(setup: Setup, api: str, work: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PERCORSO_DATABASE_URL": setup.database_url or "",
        "PERCORSO_DATA_DIR": str(work),
        "PERCORSO_SECRET_KEY": setup.secret_key,
        "PERCORSO_TELEGRAM_TOKEN": TOKEN,
        "PERCORSO_TELEGRAM_API_URL": api,
        "PERCORSO_TELEGRAM_WEBHOOK_SECRET": SECRET,
        "PERCORSO_TELEGRAM_RATE_OVERALL": str(TELEGRAM_RATE),
        "PERCORSO_QUIET_HOURS": "00:00-00:00",  # the bench runs any hour
        "PERCORSO_OUTBOX_LEASE_SECONDS": str(LEASE_SECONDS),
    }


def start_percorso(setup: Setup, count: int, api: str, work: Path) -> None:
    env = percorso_env(setup, api, work)
    subprocess.run([PERCORSO, "db", "upgrade"], env=env, check=True, capture_output=True)
    network = [PERCORSO, "network", "import", str(ROOT / "bot" / "network" / "demo_network.yaml")]
    subprocess.run(network, env=env, check=True, capture_output=True)
    for n in range(count):
        port = next(_ports)
        web = start(f"{setup.name}-web{n}", [PERCORSO, "serve", "--port", str(port)], env, work)
        web.url = f"http://127.0.0.1:{port}"
        setup.webs.append(web)
        if n == 0:
            wait_healthy(web)  # the first one alone: older versions seeded the demo network
        setup.workers.append(start(f"{setup.name}-worker{n}", [PERCORSO, "worker"], env, work))
    for web in setup.webs:
        wait_healthy(web)
    time.sleep(2)  # the workers load NLP too


def start_echo(setup: Setup, api: str, work: Path) -> None:
    port = next(_ports)
    web = start("echo", [sys.executable, __file__, "--serve-echo", str(port), api], {**os.environ},
                work)  # fmt: skip
    web.url = f"http://127.0.0.1:{port}"
    setup.webs.append(web)
    wait_healthy(web)


def stop(setup: Setup) -> None:
    for process in setup.webs + setup.workers:
        if process.popen.poll() is None:
            process.popen.send_signal(signal.SIGTERM)
    for process in setup.webs + setup.workers:
        try:
            process.popen.wait(20)
        except subprocess.TimeoutExpired:
            process.popen.kill()


# --- the load -------------------------------------------------------------------------------


@dataclass
class Sent:
    chat: int
    update_id: int
    at: float  # scheduled (open loop) or posted (closed loop), monotonic
    acked: float | None = None
    tries: int = 0


class Poster:
    """Posts updates as Telegram does: to one web process, and again to another while the
    answer is not 200."""

    def __init__(self, setup: Setup, client: httpx.AsyncClient) -> None:
        self.setup = setup
        self.client = client

    async def post(self, sent: Sent, text: str) -> None:
        body = update(sent.chat, sent.update_id, text)
        for attempt in range(50):
            alive = [w for w in self.setup.webs if w.name not in self.setup.killed]
            web = alive[(sent.chat + attempt) % len(alive)]
            sent.tries += 1
            with contextlib.suppress(httpx.HTTPError):
                answer = await self.client.post(
                    f"{web.url}/webhooks/telegram", json=body,
                    headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}, timeout=30)  # fmt: skip
                if answer.status_code == 200:
                    sent.acked = time.monotonic()
                    return
            await asyncio.sleep(0.1)


async def closed_loop(
    setup: Setup, people: list[int], texts: dict[int, list[str]], connections: int,
    kill_at: int | None,
) -> tuple[list[Sent], float]:  # fmt: skip
    sents: list[Sent] = []
    queue = list(reversed(people))
    update_ids = itertools.count(people[0] * 100)
    total = sum(len(texts[p]) for p in people)
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=connections)) as client:
        poster = Poster(setup, client)

        async def one_connection() -> None:
            while queue:
                chat = queue.pop()
                for text in texts[chat]:
                    sent = Sent(chat, next(update_ids), time.monotonic())
                    sents.append(sent)
                    await poster.post(sent, text)
                    if kill_at is not None and len(sents) == kill_at:
                        kill_one_of_each(setup)

        started = time.monotonic()
        await asyncio.gather(*(one_connection() for _ in range(connections)))
        elapsed = time.monotonic() - started
    assert len(sents) == total
    return sents, elapsed


def kill_one_of_each(setup: Setup) -> None:
    for process in (setup.workers[-1], setup.webs[-1]):
        os.kill(process.popen.pid, signal.SIGKILL)
        setup.killed.append(process.name)
    print(f"  {setup.name}: SIGKILL to {', '.join(setup.killed)}", flush=True)


async def open_loop(
    setup: Setup, first_chat: int, texts: dict[str, list[str]], rate: float, seconds: float
) -> list[Sent]:
    """`rate` updates a second on a fixed schedule; each person writes every 4 s."""
    count = int(rate * seconds)
    people = max(1, int(rate * 4))
    sents: list[Sent] = []
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=200)) as client:
        poster = Poster(setup, client)
        started = time.monotonic() + 0.2
        tasks = []
        for k in range(count):
            chat = first_chat + k % people
            lang = LANGS[chat % len(LANGS)]
            answers = texts[lang]
            sent = Sent(chat, chat * 100 + k // people, started + k / rate)
            sents.append(sent)
            await asyncio.sleep(max(0.0, sent.at - time.monotonic()))
            text = answers[(k // people) % len(answers)]
            tasks.append(asyncio.create_task(poster.post(sent, text)))
        await asyncio.gather(*tasks)
    return sents


# --- figures ----------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def fake_log(api: str) -> dict[str, Any]:
    return httpx.get(f"{api}/log", timeout=30).json()


def sent_rate(log: dict[str, Any], since: float, until: float) -> float:
    times = [t for t in log["times"] if since <= t <= until]
    if len(times) < 2:
        return 0.0
    return (len(times) - 1) / (times[-1] - times[0])


def reply_delays(sents: list[Sent], log: dict[str, Any]) -> tuple[list[float], int]:
    """From each acknowledgement to the first send to its chat after it; and how many had
    none before the person's next update."""
    sends: dict[int, list[float]] = defaultdict(list)
    for t, chat in zip(log["times"], log["chats"], strict=True):
        sends[chat].append(t)
    by_chat: dict[int, list[Sent]] = defaultdict(list)
    for sent in sents:
        by_chat[sent.chat].append(sent)
    delays, missing = [], 0
    for chat, mine in by_chat.items():
        for sent, following in itertools.zip_longest(mine, mine[1:]):
            limit = following.acked if following and following.acked else float("inf")
            after = [t for t in sends[chat] if sent.acked and sent.acked <= t < limit]
            if after:
                delays.append(after[0] - sent.acked)
            else:
                missing += 1
    return delays, missing


def chats(setup: Setup, work: Path) -> dict[int, int]:
    """Telegram identity id -> chat id: the addresses are encrypted, read with the key."""
    from sqlmodel import select

    from bot.entry.bootstrap import open_database
    from bot.settings import Settings
    from storage.db import reading
    from storage.models import Identity

    settings = Settings(database_url=setup.database_url or "", secret_key=setup.secret_key,
                        data_dir=work)  # fmt: skip
    engine = open_database(settings)
    with reading(engine) as db:
        found = db.exec(select(Identity).where(Identity.channel == "telegram")).all()
        identities = {identity.id: int(identity.address) for identity in found}
    engine.dispose()
    return identities


def checks(
    setup: Setup, work: Path, sents: list[Sent], log: dict[str, Any], api: str
) -> dict[str, Any]:
    """From the database and the fake server's log, nothing assumed. Sending goes on meanwhile:
    doubles compare with the log read before the database, losses with one read after it."""
    chat_of = chats(setup, work)
    engine = sa.create_engine(setup.database_url or "")
    with engine.connect() as db:
        inbound = (
            db.execute(sa.text("SELECT external_id FROM inbound WHERE channel = 'telegram'"))
            .scalars()
            .all()
        )
        sent_rows = {
            chat_of[identity]: n
            for identity, n in db.execute(
                sa.text(
                    "SELECT identity_id, count(*) FROM outbox WHERE channel = 'telegram' "
                    "AND status = 'sent' GROUP BY identity_id"
                )
            ).all()
        }
        pending = db.execute(
            sa.text("SELECT count(*) FROM outbox WHERE status = 'pending'")
        ).scalar_one()
        overlapping = db.execute(
            sa.text(
                "SELECT count(*) FROM meeting a JOIN meeting b ON a.counselor_id = b.counselor_id "
                "AND a.id < b.id AND a.status = 'booked' AND b.status = 'booked' "
                "AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at"
            )
        ).scalar_one()
        booked_twice = db.execute(
            sa.text(
                "SELECT count(*) FROM (SELECT person_id FROM appointment WHERE status = 'booked' "
                "GROUP BY person_id, service_id HAVING count(*) > 1) t"
            )
        ).scalar_one()
        over_seats = db.execute(
            sa.text("SELECT count(*) FROM meeting WHERE taken > seats")
        ).scalar_one()
        booked = db.execute(
            sa.text("SELECT count(*) FROM appointment WHERE status = 'booked'")
        ).scalar_one()
    engine.dispose()
    acked = {f"{TOKEN.split(':')[0]}:{s.update_id}" for s in sents if s.acked is not None}
    accepted = Counter(log["chats"]) + Counter(log["documents"])  # invites go as documents
    doubles = sum(max(0, n - sent_rows.get(chat, 0)) for chat, n in accepted.items())
    later = fake_log(api)
    received = Counter(later["chats"]) + Counter(later["documents"])
    unmarked = sum(max(0, n - received.get(chat, 0)) for chat, n in sent_rows.items())
    return {
        "updates_posted": len(sents),
        "updates_acknowledged": len(acked),
        "updates_recorded": len(set(inbound) & acked),
        "inbound_rows_duplicated": len(inbound) - len(set(inbound)),
        "sends_accepted_by_server": sum(accepted.values()),
        "rows_marked_sent": sum(sent_rows.values()),
        "sends_beyond_rows_marked_sent (doubles)": doubles,
        "rows_marked_sent_never_received (lost)": unmarked,
        "rows_still_pending": pending,
        "appointments_booked": booked,
        "overlapping_meetings": overlapping,
        "people_booked_twice_for_a_service": booked_twice,
        "meetings_over_seats": over_seats,
    }


def leases_lost(setup: Setup, work: Path) -> int:
    """Rows a dispatcher sent after its lease had run out (and another could take them): the
    dispatchers log each one."""
    logs = [work / f"{p.name}.log" for p in setup.webs + setup.workers]
    return sum(log.read_text().count("lease lost before it ended") for log in logs)


def cancel_backlog(database_url: str) -> int:
    """The rows waiting to be claimed; those a dispatcher holds are left to end as they will
    (cancelling one already sent, its ending not yet written, would count it as a double)."""
    engine = make_engine(database_url)
    with unit_of_work(engine) as db:
        cancelled = db.exec(
            sa.update(Outbox)
            .where(Outbox.status == "pending", Outbox.not_before <= datetime.now(UTC))
            .values(status="cancelled")
        ).rowcount
    engine.dispose()
    return cancelled


def broadcast(setup: Setup, api: str, work: Path) -> str:
    message = work / "broadcast.yaml"
    message.write_text("".join(f"{lang}: Feira de emprego no sábado.\n" for lang in LANGS))
    env = percorso_env(setup, api, work)
    done = subprocess.run([PERCORSO, "broadcast", "--segment", "lang=" + "|".join(LANGS),
                           "--message-file", str(message), "--yes", "--no-wait"],
                          env=env, capture_output=True, text=True, check=True)  # fmt: skip
    return done.stdout.strip().splitlines()[-1]


def ms(value: float) -> float:
    return round(value * 1000, 1)


async def run_setup(setup: Setup, args: argparse.Namespace, first_chat: int, api: str,
                    work: Path) -> dict[str, Any]:  # fmt: skip
    answers = inputs()
    people = list(range(first_chat, first_chat + args.people))
    texts = {chat: answers[LANGS[chat % len(LANGS)]] for chat in people}
    figures: dict[str, Any] = {}
    kill_at = sum(map(len, texts.values())) // 2 if setup.name == "postgresql" else None
    before = time.monotonic()
    sents, elapsed = await closed_loop(setup, people, texts, args.connections, kill_at)
    after = time.monotonic()
    figures["closed_loop_updates"] = len(sents)
    figures["acknowledged_per_second"] = round(len(sents) / elapsed, 1)
    figures["closed_loop_ack_p50_p99_ms"] = [ms(percentile([s.acked - s.at for s in sents], q))
                                            for q in (0.5, 0.99)]  # fmt: skip
    figures["posts_retried"] = sum(s.tries - 1 for s in sents)
    await asyncio.sleep(LEASE_SECONDS + 3 if setup.database_url else 1)
    log = fake_log(api)
    figures["replies_per_second_while_overloaded"] = round(sent_rate(log, before, after), 1)
    figures["configured_telegram_rate"] = TELEGRAM_RATE
    figures["server_429"] = log["refused"]
    if setup.database_url:
        figures["checks"] = checks(setup, work, sents, log, api)
        figures["checks"]["rows_whose_lease_ran_out_while_sending"] = leases_lost(setup, work)
        figures["backlog_cancelled"] = cancel_backlog(setup.database_url)
    loop = await open_loop(setup, people[-1] + 1000, answers, OPEN_RATE, args.open_seconds)
    latencies = [s.acked - s.at for s in loop if s.acked is not None]
    figures["open_loop"] = {"rate": OPEN_RATE, "updates": len(loop),
                            "acknowledged": len(latencies),
                            "p50_ms": ms(percentile(latencies, 0.5)),
                            "p99_ms": ms(percentile(latencies, 0.99)),
                            "max_ms": ms(max(latencies))}  # fmt: skip
    if setup.database_url:
        cancel_backlog(setup.database_url)
        figures["replies_vs_broadcast"] = await replies_vs_broadcast(
            setup, args, people[-1] + 3000, answers, api, work
        )
    return figures


async def replies_vs_broadcast(setup: Setup, args: argparse.Namespace, first_chat: int,
                               answers: dict[str, list[str]], api: str,
                               work: Path) -> dict[str, Any]:  # fmt: skip
    figures: dict[str, Any] = {}
    for label, chat in (("alone", first_chat), ("with_broadcast", first_chat + 1000)):
        if label == "with_broadcast":
            figures["broadcast"] = broadcast(setup, api, work)
        sents = await open_loop(setup, chat, answers, CALM_RATE, args.calm_seconds)
        await asyncio.sleep(3)
        delays, missing = reply_delays(sents, fake_log(api))
        figures[label] = {"updates": len(sents), "reply_p50_ms": ms(percentile(delays, 0.5)),
                          "reply_p99_ms": ms(percentile(delays, 0.99)),
                          "no_reply_before_next_update": missing}  # fmt: skip
    figures["p99_delay_added_ms"] = round(
        figures["with_broadcast"]["reply_p99_ms"] - figures["alone"]["reply_p99_ms"], 1
    )
    return figures


@contextlib.contextmanager
def fake_api(work: Path) -> Iterator[str]:
    port = next(_ports)
    process = start(f"fake-{port}", [sys.executable, __file__, "--serve-fake", str(port)],
                    {**os.environ}, work)  # fmt: skip
    process.url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(f"{process.url}/log", timeout=1)
            break
        if time.monotonic() > deadline:
            raise RuntimeError("the fake Bot API did not start")
        time.sleep(0.2)
    try:
        yield process.url
    finally:
        process.popen.terminate()
        process.popen.wait(10)


@contextlib.contextmanager
def fresh_database(admin_url: str) -> Iterator[str]:
    name = f"percorso_load_{os.getpid()}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as db:
        db.execute(sa.text(f"CREATE DATABASE {name}"))
    try:
        yield str(sa.make_url(admin_url).set(database=name).render_as_string(False))
    finally:
        with admin.connect() as db:
            db.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


async def run(args: argparse.Namespace) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="percorso-load-"))
    print(f"logs in {work}", flush=True)
    results: dict[str, Any] = {}
    for n, name in enumerate(args.setups):
        started = time.monotonic()
        with contextlib.ExitStack() as stack:
            api = stack.enter_context(fake_api(work))
            url = {"echo": None, "sqlite": f"sqlite:///{work / 'load.sqlite3'}"}.get(name)
            if name == "postgresql":
                url = stack.enter_context(fresh_database(args.pg))
            setup = Setup(name, url)
            stack.callback(stop, setup)
            if name == "echo":
                start_echo(setup, api, work)
            else:
                start_percorso(setup, 2 if name == "postgresql" else 1, api, work)
            print(f"{name}: running", flush=True)
            results[name] = await run_setup(setup, args, 10_000_000 * (n + 1), api, work)
        results[name]["wall_seconds"] = round(time.monotonic() - started, 1)
        print(json.dumps({name: results[name]}, indent=2), flush=True)
    return results


def summary(results: dict[str, Any]) -> None:
    echo = results.get("echo")
    for name in ("sqlite", "postgresql"):
        if name not in results:
            continue
        r = results[name]
        ratio = r["acknowledged_per_second"] / echo["acknowledged_per_second"] if echo else None
        delivered = r["replies_per_second_while_overloaded"] / TELEGRAM_RATE
        print(f"{name}: ack/s {r['acknowledged_per_second']}"
              + (f" = {ratio:.2f}x echo (target >= 0.7)" if ratio else "")
              + f"; p99 at 40/s {r['open_loop']['p99_ms']} ms (target <= 50)"
              f"; delivered {delivered:.0%} of {TELEGRAM_RATE:g}/s (target >= 95%)"
              f"; broadcast adds {r['replies_vs_broadcast']['p99_delay_added_ms']} ms at p99"
              " (target <= 1000)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--serve-fake", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--serve-echo", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="about a minute: fewer people")
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--connections", type=int, default=40)
    parser.add_argument("--open-seconds", type=float, default=15)
    parser.add_argument("--calm-seconds", type=float, default=10)
    parser.add_argument("--setups", nargs="+", default=["echo", "sqlite", "postgresql"])
    parser.add_argument(
        "--pg",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
        help="an administrator's URL: a fresh database is made and dropped",
    )
    args = parser.parse_args()
    if args.serve_fake:
        serve_fake(args.serve_fake)
        return
    if args.serve_echo:
        serve_echo(int(args.serve_echo[0]), args.serve_echo[1])
        return
    if args.quick:
        args.people, args.open_seconds, args.calm_seconds = 20, 5, 4
    started = time.monotonic()
    results = asyncio.run(run(args))
    summary(results)
    print(f"whole run: {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
