"""Dates and times said relative to now, in the person's time zone, by rules per language.

The rules read folded text (lower case, no accents) and blank out what they consume, so one word
is never read twice ("après-midi" is not also "midi"). Unknown hours are read as office hours:
"alle 3" is 15:00, since nobody books a counselor at 3 in the night.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from nlp.date_words import DATE_WORDS, DateWords
from nlp.text import strip_accents

# Hours said without a part of the day and below this are afternoon hours.
FIRST_MORNING_HOUR = 8
_UNITS_AFTER_NUMBER = (
    r"anos?|anni|anno|years?|anos|ans?|dias?|giorni|days?|meses|mesi|months?|mois|filhos|figli"
    r"|children|kids|hijos|enfants|euros?|eur|km|minutos|minuti|minutes|pessoas|persone|people"
    r"|personas|personnes|vezes|volte|times|veces|fois|semanas?|settimane|weeks?|semaines?"
)


@dataclass
class When:
    day: date | None = None
    hour: time | None = None
    part_of_day: str | None = None
    explicit_afternoon: bool = False
    spans: list[tuple[str, int, int, str]] = field(default_factory=list)

    def resolve(self, now: datetime) -> datetime | None:
        """Combine what was said into one moment; None when neither a date nor an hour was."""
        tz = now.tzinfo
        if self.day is None and self.hour is None:
            return None
        day = self.day
        if day is None:
            assert self.hour is not None
            day = now.date()
            if datetime.combine(day, self.hour, tz) <= now:
                day += timedelta(days=1)
        moment = datetime.combine(day, self.hour or time(0, 0), tz)
        # A wall time skipped by a DST change comes back as the same instant after it.
        return moment.astimezone(ZoneInfo("UTC")).astimezone(tz)


def fold_with_map(text: str) -> tuple[str, list[int]]:
    """Folded text and, for each folded character, the index of the original one."""
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        folded = strip_accents(ch.lower().replace("’", "'"))
        chars.append(folded)
        origin.extend([i] * len(folded))
    return "".join(chars), origin


def _alternation(options: object) -> str:
    return "|".join(sorted(options, key=len, reverse=True))  # type: ignore[arg-type]


@dataclass(frozen=True)
class _Patterns:
    words: DateWords
    greetings: re.Pattern[str]
    in_days: re.Pattern[str]
    today_parts: re.Pattern[str]
    relative: re.Pattern[str]
    weekday: re.Pattern[str]
    numeric_date: re.Pattern[str]
    named_date: re.Pattern[str]
    month_first: re.Pattern[str] | None
    day_of_month: re.Pattern[str]
    clock: re.Pattern[str]
    am_pm: re.Pattern[str]
    hour_word: re.Pattern[str]
    marked_hour: re.Pattern[str]
    part_hour: re.Pattern[str]
    noon: re.Pattern[str]
    parts: re.Pattern[str]
    english_past: re.Pattern[str] | None


def _group(mapping: dict[str, object]) -> str:
    return "|".join(f"(?:{key})" for key in mapping)


@cache
def patterns(lang: str) -> _Patterns:
    w = DATE_WORDS[lang]
    numbers = _alternation(w.numbers)
    hour = rf"(?P<h>\d{{1,2}}|{numbers})"
    minutes = "|".join(p for p in (w.half, w.quarter, w.quarter_to) if p)
    minutes_part = rf"(?:\s+(?P<min>{minutes}))?" if minutes else ""
    after = _group(w.after_hour_parts)
    part_after = rf"(?:\s*(?P<part>{after}))?"
    months = _alternation(w.months)
    qualifier = (r"(?:(?:o |a |la |el |il |le |the |this |on |na |no |esta |este |questo |ce )?"
                 r"(?:proxim[ao]|prossim[ao]|next|prochaine?) )?")
    trailing = r"(?:\s+(?:que vem|prossim[ao]|prochaine?|que viene))?"
    return _Patterns(
        words=w,
        greetings=re.compile(w.greetings),
        in_days=re.compile(rf"\b{w.in_days}\b"),
        today_parts=re.compile(rf"\b(?:{_group(w.today_parts)})\b"),
        relative=re.compile(rf"\b(?:{_group(w.relative_days)})\b"),
        weekday=re.compile(rf"\b{qualifier}(?P<wd>{_group(w.weekdays)})\b{trailing}"
                           rf"(?P<nw>\s+{w.next_week})?"),
        numeric_date=re.compile(r"\b(?P<d>\d{1,2})[/-](?P<m>\d{1,2})(?:[/-](?P<y>\d{4}|\d{2}))?\b"
                                r"|\b(?P<d2>\d{1,2})\.(?P<m2>\d{1,2})\.(?P<y2>\d{4}|\d{2})\b"),
        named_date=re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th|er|o|º)?\s*(?:de |di |of )?"
                              rf"(?P<month>{months})\b(?:\s*(?:de |del )?(?P<y>\d{{4}}))?"),
        month_first=re.compile(rf"\b(?P<month>{months})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b"
                               r"(?:,?\s+(?P<y>\d{4}))?") if lang == "en" else None,
        day_of_month=re.compile(w.day_of_month),
        clock=re.compile(r"\b(?P<h>\d{1,2})\s?[:h.]\s?(?P<m>\d{2})(?!\d)" + part_after),
        am_pm=re.compile(r"\b(?P<h>\d{1,2})\s?(?P<part>am|pm|a\.m\.?|p\.m\.?)(?!\w)"),
        hour_word=re.compile(rf"\b{hour}\s?(?:{w.hour_words})\b{minutes_part}{part_after}"),
        marked_hour=re.compile(rf"(?:^|\s)(?:{w.time_markers})\s+{hour}\b{minutes_part}"
                               rf"{part_after}(?!\s+(?:{_UNITS_AFTER_NUMBER})\b)"),
        part_hour=re.compile(rf"\b{hour}{minutes_part}\s+(?P<part>{after})"),
        noon=re.compile(rf"\b(?P<noon>{w.noon}|{w.midnight})\b{minutes_part}"),
        parts=re.compile(rf"\b(?:{_group(w.parts)})\b"),
        english_past=re.compile(rf"\b(?P<min>half|quarter) (?P<rel>past|to) {hour}\b{part_after}")
        if lang == "en" else None,
    )


def _which(mapping: dict[str, object], text: str) -> object:
    for key, value in mapping.items():
        if re.fullmatch(key, text):
            return value
    raise KeyError(text)


def _number(text: str, words: DateWords) -> int:
    return int(text) if text.isdigit() else words.numbers[text]


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


class _Reader:
    """One pass over one message: each finder consumes its matches from `self.work`."""

    def __init__(self, text: str, lang: str, today: date) -> None:
        self.p = patterns(lang)
        self.words = self.p.words
        self.work, self.origin = fold_with_map(text)
        self.text = text
        self.today = today
        self.when = When()

    def take(self, pattern: re.Pattern[str], kind: str | None) -> list[re.Match[str]]:
        found = list(pattern.finditer(self.work))
        for m in found:
            start, end = m.span()
            while start < end and self.work[start] == " ":
                start += 1
            self.work = self.work[:start] + " " * (end - start) + self.work[end:]
            if kind is not None and end > start:
                first, last = self.origin[start], self.origin[end - 1] + 1
                self.when.spans.append((kind, first, last, self.text[first:last]))
        return found

    def set_date(self, value: date | None) -> None:
        if value is not None and self.when.day is None:
            self.when.day = value

    def read_dates(self) -> None:
        w, today = self.words, self.today
        self.take(self.p.greetings, None)
        for m in self.take(self.p.in_days, "date"):
            n = _number(m["n"], w) if m["n"].isdigit() or m["n"] in w.numbers else None
            if n is not None:
                unit = 7 if m["unit"].startswith(w.week_units) else 1
                self.set_date(today + timedelta(days=n * unit))
        for m in self.take(self.p.today_parts, "date"):
            self.set_date(today)
            self.when.part_of_day = str(_which(w.today_parts, m.group(0).strip()))
        for m in self.take(self.p.numeric_date, "date"):
            self.set_date(self._day_month(m["d"] or m["d2"], m["m"] or m["m2"], m["y"] or m["y2"]))
        for pattern in (self.p.named_date, self.p.month_first):
            for m in self.take(pattern, "date") if pattern is not None else ():
                month = str(w.months[m["month"]])
                self.set_date(self._day_month(m["d"], month, m["y"]))
        for m in self.take(self.p.relative, "date"):
            self.set_date(today + timedelta(days=int(_which(w.relative_days, m.group(0)))))
        for m in self.take(self.p.day_of_month, "date"):
            self.set_date(self._day_of_month(int(m["d"])))
        for m in self.take(self.p.weekday, "date"):
            self.set_date(self._weekday(int(_which(w.weekdays, m["wd"])), bool(m["nw"])))

    def _day_month(self, d: str, m: str, y: str | None) -> date | None:
        year = self.today.year if y is None else int(y) + (2000 if len(y) == 2 else 0)
        found = _safe_date(year, int(m), int(d))
        if found is not None and y is None and found < self.today:
            found = _safe_date(year + 1, int(m), int(d))
        return found

    def _day_of_month(self, day: int) -> date | None:
        year, month = self.today.year, self.today.month
        if day < self.today.day:
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return _safe_date(year, month, day)

    def _weekday(self, weekday: int, next_week: bool) -> date:
        if next_week:
            monday = self.today - timedelta(days=self.today.weekday()) + timedelta(days=7)
            return monday + timedelta(days=weekday)
        ahead = (weekday - self.today.weekday()) % 7 or 7
        return self.today + timedelta(days=ahead)

    def read_times(self) -> None:
        w = self.words
        if self.p.english_past is not None:
            for m in self.take(self.p.english_past, "time"):
                h = _number(m["h"], w)
                minute = 30 if m["min"] == "half" else 15
                if m["rel"] == "to":
                    h, minute = h - 1, 60 - minute
                self._set_time(h, minute, m["part"])
        for m in self.take(self.p.noon, "time"):
            h = 12 if re.fullmatch(w.noon, m["noon"]) else 0
            self._set_time(h, self._minutes(m.groupdict().get("min")), None, fixed=True)
        for m in self.take(self.p.clock, "time"):
            self._set_time(int(m["h"]), int(m["m"]), m["part"], fixed=m["h"].startswith("0"))
        for m in self.take(self.p.am_pm, "time"):
            self._set_time(int(m["h"]), 0, "pm" if m["part"].startswith("p") else "am", True)
        for pattern in (self.p.hour_word, self.p.part_hour, self.p.marked_hour):
            for m in self.take(pattern, "time"):
                said = m.groupdict()
                self._set_time(_number(m["h"], w), self._minutes(said.get("min")), m["part"])

    def _minutes(self, said: str | None) -> int:
        w = self.words
        if not said:
            return 0
        if re.fullmatch(w.half, said):
            return 30
        if re.fullmatch(w.quarter, said):
            return 15
        return -15

    def _set_time(self, hour: int, minute: int, part: str | None, fixed: bool = False) -> None:
        if self.when.hour is not None:
            return
        if minute < 0:
            hour, minute = hour - 1, 60 + minute
        said_part = None
        if part in ("am", "pm"):
            said_part = "morning" if part == "am" else "afternoon"
        elif part:
            said_part = str(_which(self.words.after_hour_parts, part.strip()))
        if said_part in ("afternoon", "evening") and hour < 12:
            hour += 12
            self.when.explicit_afternoon = True
        elif said_part == "morning":
            fixed = True
        if 0 <= hour <= 23 and 0 <= minute <= 59:
            self.when.hour = time(hour, minute)
            self.when.explicit_afternoon |= fixed

    def read_parts(self) -> None:
        for m in self.take(self.p.parts, "part_of_day"):
            if self.when.part_of_day is None:
                self.when.part_of_day = str(_which(self.words.parts, m.group(0).strip()))

    def _afternoon_hour(self) -> bool:
        """An hour said without am/pm: afternoon if the part of day says so, or if it is early."""
        hour, part = self.when.hour, self.when.part_of_day
        assert hour is not None
        if part in ("afternoon", "evening"):
            return hour.hour < 12
        return part is None and 1 <= hour.hour < FIRST_MORNING_HOUR

    def finish(self) -> When:
        when = self.when
        if when.hour is not None and not when.explicit_afternoon and self._afternoon_hour():
            when.hour = when.hour.replace(hour=when.hour.hour + 12)
        if when.hour is not None:
            when.part_of_day = None
        when.spans.sort(key=lambda span: span[1])
        return when


def read_when(text: str, lang: str, today: date) -> When:
    reader = _Reader(text, lang, today)
    reader.read_dates()
    reader.read_times()
    reader.read_parts()
    return reader.finish()
