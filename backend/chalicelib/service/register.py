"""The office's weekly register (SPEC 3b): each Monday, in the district's time
zone, every school office gets last week's independent study days of its
students, each with its result, as an email with the register as a CSV file.

Run hourly (AWS) or on demand (`make jobs`): the first run of the week (on
Monday, unless every Monday run failed) sends each school's register for the
week before; later runs that week find it sent and do nothing. A school whose
send fails is tried again at the next run. A school with no independent study
that week still gets a short register saying so, so the office knows the
register ran and there is nothing to post (an absent email would look the same
as a lost one).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from ..core.register import register_rows, week_due
from .errors import Busy, Unavailable
from .ports import Mailer, MailerError, NoRecipient, RegisterComposer
from .records import Records

log = logging.getLogger("stis.register")  # JSON lines (see logs.py)

# How long a run holds a school's register while it sends it: a run that stopped
# mid-send (a timeout) leaves it to a run after this.
HOLD = timedelta(hours=2)


class WeeklyRegister:
    def __init__(self, records: Records, mailer: Mailer, composer: RegisterComposer) -> None:
        self.records = records
        self.store = records.store
        self.mailer = mailer
        self.composer = composer

    def run(self) -> int:
        """Send each school's register that is due and not yet sent; return how many were sent."""
        now = self.records.clock.now()
        monday = week_due(now.astimezone(self.records.rules.zone))
        sent = 0
        for school in self.records.district.schools:
            week = self.store.register_week(school.id, monday)
            if week.sent or not self.store.claim_register(school.id, monday, now, HOLD):
                continue
            try:
                requests = self.store.get_many(week.request_ids) if week.request_ids else []
                email = self.composer.compose_register(
                    school.id, monday, register_rows(requests, school.id, monday)
                )
                self.mailer.send(
                    email.to,
                    email.subject,
                    email.text,
                    email.html,
                    {"kind": "weekly_register", "role": "office"},
                    email.attachments,
                )
            except (MailerError, NoRecipient, Busy, Unavailable) as error:
                log.warning("register not sent", extra={"school": school.id, "code": type(error).__name__})
                self.store.finish_register(school.id, monday, sent=False)
                continue
            except Exception:
                self.store.finish_register(school.id, monday, sent=False)
                raise
            self.store.finish_register(school.id, monday, sent=True)
            sent += 1
        return sent
