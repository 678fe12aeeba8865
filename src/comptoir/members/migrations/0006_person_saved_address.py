from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("members", "0005_accountmail")]

    operations = [
        migrations.AddField(
            model_name="person",
            name="saved_address",
            field=models.CharField(blank=True, max_length=200, verbose_name="saved address"),
        ),
        migrations.AddField(
            model_name="person",
            name="saved_postal_code",
            field=models.CharField(blank=True, max_length=10, verbose_name="saved postal code"),
        ),
        migrations.AddField(
            model_name="person",
            name="saved_city",
            field=models.CharField(blank=True, max_length=100, verbose_name="saved city"),
        ),
        migrations.AddField(
            model_name="person",
            name="saved_lat",
            field=models.FloatField(blank=True, null=True, verbose_name="saved latitude"),
        ),
        migrations.AddField(
            model_name="person",
            name="saved_lon",
            field=models.FloatField(blank=True, null=True, verbose_name="saved longitude"),
        ),
    ]
