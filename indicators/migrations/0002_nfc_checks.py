from django.db import migrations

from portal.migration_ops import nfc_check


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_initial")]

    operations = [
        nfc_check("indicators_indicator", "name"),
        nfc_check("indicators_indicatorvalue", "source"),
    ]
