from django.db import migrations

from portal.migration_ops import nfc_check


class Migration(migrations.Migration):
    dependencies = [("tasks", "0001_initial")]

    operations = [
        nfc_check("tasks_task", "title"),
        nfc_check("tasks_task", "deadline_text"),
        nfc_check("tasks_progressreport", "narrative"),
    ]
