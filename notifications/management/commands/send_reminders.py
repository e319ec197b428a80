"""Run the reminder scan for a day on demand and print what it would send or sent.

    python manage.py send_reminders --date 2026-03-24 --dry-run
    python manage.py send_reminders --date 2026-03-24

Without --dry-run the reminders are recorded exactly as the daily scan records them (a
second run finds them there) and the pending ones are sent from this process.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from notifications import services
from notifications.models import Channel, Reminder, ReminderStatus


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Ngày không hợp lệ (cần YYYY-MM-DD): {value}") from None


class Command(BaseCommand):
    help = "Quét và gửi nhắc việc cho một ngày (mặc định: hôm nay, giờ Việt Nam)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=_date, help="Ngày quét, YYYY-MM-DD")
        parser.add_argument(
            "--dry-run", action="store_true", help="Chỉ in những gì sẽ gửi, không ghi gì"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today: dt.date = options["date"] or services.today_local()
        if options["dry_run"]:
            result = services.reminder_scan(today=today, dry_run=True)
            self.stdout.write(
                f"Ngày {today:%d/%m/%Y}: {len(result.planned)} nhắc việc đến hạn, "
                f"{len(result.created)} chưa ghi nhận (sẽ gửi):"
            )
            for planned in result.created:
                self.stdout.write(f"  {planned.describe()}")
            return
        result = services.reminder_scan(today=today, enqueue=False)
        self.stdout.write(
            f"Ngày {today:%d/%m/%Y}: {len(result.planned)} nhắc việc đến hạn, "
            f"{len(result.created)} mới ghi nhận."
        )
        services.daily_digest_build(today=today, enqueue=False)
        pending = (
            Reminder.objects.filter(status=ReminderStatus.PENDING, channel=Channel.IMMEDIATE)
            .select_related("recipient")
            .order_by("pk")
        )
        for reminder in pending:
            try:
                outcome = services.reminder_send(
                    reminder_id=reminder.pk, today=today, final_attempt=False
                )
            except services.TransientSendError as exc:
                outcome = f"lỗi tạm thời, để lại chờ gửi ({exc})"
            self.stdout.write(
                f"  {reminder.kind:<15} {reminder.recipient.username:<20} "
                f"hạn {reminder.due_on:%d/%m/%Y}: {outcome}"
            )
