"""NLP benchmark: start-up with all five languages, parse time per message, resident memory.

Run: .venv/bin/python bench/nlp_bench.py   (builds the models first if the cache is empty)
Not a test: it prints figures for docs/benchmarks.md.
"""

import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from datetime import datetime

CORPUS = [
    ("pt", "quero desmarcar"), ("pt", "amanhã às 10h"), ("pt", "fui cozinheiro durante 5 anos"),
    ("pt", "quero falar com uma pessoa"), ("pt", "cuidei da minha mãe e faço as contas da casa"),
    ("pt", "o meu número é 912 345 678"), ("pt", "depois de amanhã à tarde"), ("pt", "sim"),
    ("it", "ho fatto la badante per sei anni"), ("it", "martedì prossimo alle 15"),
    ("it", "vorrei disdire l'appuntamento"), ("it", "buongiorno, vorrei informazioni"),
    ("en", "Friday morning"), ("en", "I worked as a warehouse operative and forklift driver"),
    ("en", "can I change the time?"), ("en", "stop"),
    ("es", "quiero pedir una cita para el lunes por la mañana"), ("es", "trabajé de camarera"),
    ("es", "no entiendo nada"), ("fr", "je voudrais annuler mon rendez-vous"),
    ("fr", "j'ai été aide-soignante pendant dix ans"), ("fr", "le 3 décembre à 14h"),
    ("pt", "😀😀"), ("pt", "a" * 10_000),
]
ROUNDS = 200


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_model() -> str:
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


def main() -> None:
    started = time.perf_counter()
    import nlp  # timed: importing spaCy is part of start-up

    pipeline = nlp.load(nlp.LANGUAGES)
    startup = time.perf_counter() - started
    now = datetime(2026, 3, 28, 9, 0)
    for lang, text in CORPUS:  # warm-up: first calls fill caches
        pipeline.parse(text, lang, "Europe/Lisbon", now)
    times, cpu_times = [], []
    for _ in range(ROUNDS):
        for lang, text in CORPUS:
            t, c = time.perf_counter(), time.thread_time()
            pipeline.parse(text, lang, "Europe/Lisbon", now)
            cpu_times.append((time.thread_time() - c) * 1000)
            times.append((time.perf_counter() - t) * 1000)
    times.sort()
    cpu_times.sort()
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    print(f"machine: {nproc} cores, {cpu_model()}, Python {sys.version.split()[0]}")
    print(f"messages parsed: {len(times)} ({len(CORPUS)} distinct, 5 languages)")
    print(f"parse median: {statistics.median(times):.2f} ms")
    print(f"parse p99: {times[int(len(times) * 0.99) - 1]:.2f} ms")
    # CPU time of this thread: what the parse costs when other processes share the cores.
    print(f"parse CPU time median / p99: {statistics.median(cpu_times):.2f} / "
          f"{cpu_times[int(len(cpu_times) * 0.99) - 1]:.2f} ms")
    print(f"load average during the run: {os.getloadavg()[0]:.2f}")
    print(f"start-up, all five languages (import + load): {startup:.2f} s")
    print(f"resident memory (max RSS): {rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
