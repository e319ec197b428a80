from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations

from portal.migration_ops import nfc_check


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0001_initial"),
        ("accounts", "0001_initial"),
    ]

    operations = [
        UnaccentExtension(),
        TrigramExtension(),
        nfc_check("documents_document", "title"),
        nfc_check("accounts_unit", "name"),
        nfc_check("accounts_unitalias", "name"),
    ]
