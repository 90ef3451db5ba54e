"""`percorso nlu`: parse messages and evaluate the models on the project's labelled sets."""

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from bot.clock import wall_clock
from bot.entry import params
from nlp.output import understanding_to_json

nlu_app = typer.Typer(help="Understand messages: intents, dates, entities, ESCO matches.",
                      no_args_is_help=True)


@nlu_app.command()
def parse(
    text: Annotated[str | None, typer.Argument(help="Text; without it, one text per stdin line.")]
    = None,
    lang: Annotated[str, typer.Option(help="Language of the conversation.",
                                      parser=params.language)] = "pt",
    tz: Annotated[str, typer.Option(help="Time zone of the person.", parser=params.zone)]
    = "Europe/Lisbon",
    now: Annotated[datetime | None, typer.Option(help="Reference time, ISO 8601 (default: now).",
                                            parser=params.instant)] = None,
    cache_dir: Annotated[Path | None, typer.Option(help="Where built models are kept.")] = None,
) -> None:
    """Print one JSON object per text."""
    from nlp.pipeline import load  # deferred: loading spaCy is the slow part of start-up

    reference = now or wall_clock()
    pipeline = load([lang], cache_dir)
    texts = [text] if text is not None else (line.rstrip("\n") for line in sys.stdin)
    for line in texts:
        understood = pipeline.parse(line, lang, tz, reference)
        typer.echo(json.dumps(understanding_to_json(understood, tz), ensure_ascii=False))


@nlu_app.command(name="eval")
def evaluate(
    cache_dir: Annotated[Path | None, typer.Option(help="Where built models are kept.")] = None,
) -> None:
    """Accuracy per intent and language, dates, occupations and skills, training vs held-out."""
    from nlp.eval import run_eval

    typer.echo(run_eval(cache_dir))


@nlu_app.command()
def build(
    cache_dir: Annotated[Path | None, typer.Option(help="Where built models are kept.")] = None,
) -> None:
    """Build every language's models into the cache now (the image does it at build time), so
    that no process builds them on its first message."""
    from nlp.build import default_cache_dir, ensure_built
    from nlp.understanding import LANGUAGES

    typer.echo(ensure_built(cache_dir or default_cache_dir(), LANGUAGES))


if __name__ == "__main__":
    nlu_app()
