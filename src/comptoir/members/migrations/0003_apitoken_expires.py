from datetime import timedelta

from django.db import migrations, models
from django.utils import timezone


def ninety_days_from_now():
    """Tokens issued before expiry existed: 90 days from the migration, as if issued that day."""
    return timezone.now() + timedelta(days=90)


class Migration(migrations.Migration):
    dependencies = [("members", "0002_colleges")]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires",
            field=models.DateTimeField(default=ninety_days_from_now),
            preserve_default=False,
        ),
    ]
