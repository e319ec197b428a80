from django.db import migrations


class Migration(migrations.Migration):
    """The single successor fields give way to succession records (0003 copied them)."""

    dependencies = [
        ("accounts", "0003_unit_successions"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='unit',
            name='unit_successor_has_date',
        ),
        migrations.RemoveField(
            model_name='unit',
            name='succession_basis',
        ),
        migrations.RemoveField(
            model_name='unit',
            name='successor',
        ),
        migrations.RemoveField(
            model_name='unit',
            name='successor_from',
        ),
    ]
