"""Hand-overs nobody took in time: the site's coordinator is told by e-mail, and the person is
told honestly by when to expect an answer. Run by the worker's scheduler, once across workers
(the job's lock), and once per hand-over (`escalated_at`)."""

from datetime import datetime

from bot.booking.labels import when
from bot.conversation.service import ConversationService
from bot.counselors.handover_notices import staff_lang, tell_coordinator
from bot.counselors.handovers import HandOverRules
from bot.counselors.office_hours import site_counselors, working_time_end
from bot.jobs.cron_lock import exclusive
from dialogs.model import HandOverDelayed
from storage import handovers as threads
from storage.db import lock_person, unit_of_work
from storage.models import Site


def escalate_overdue(service: ConversationService, rules: HandOverRules, now: datetime) -> int:
    """Escalate the overdue hand-overs; returns how many."""
    escalated = 0
    with unit_of_work(service.engine) as db:
        exclusive(db, "handovers")
        for hand_over in threads.overdue(db, now):
            lock_person(db, hand_over.person_id)
            site = db.get(Site, hand_over.site_id) if hand_over.site_id else None
            if site is None:
                continue  # the site was removed: the inbox of every site no longer lists it
            address = site.coordinator_email or rules.coordinator_email
            if address:
                # The coordinator reads the language the site's counselors read first.
                counselors = site_counselors(db, site)
                lang = staff_lang(counselors[0].languages if counselors else [])
                tell_coordinator(db, hand_over, site, address, lang, rules.desk_url, now)
            hand_over.escalated_at = now
            db.add(hand_over)
            by = working_time_end(db, site, now, rules.take_minutes)
            lang = hand_over.lang or "en"
            delayed = HandOverDelayed(site.municipality, when(by, site.timezone, lang))
            service.tell_in(db, hand_over.person_id, delayed, now)
            escalated += 1
    return escalated
