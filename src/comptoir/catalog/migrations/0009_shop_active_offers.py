"""Each shop's count of active offers, stored (decision 0027), counted once here for existing shops."""

from django.db import migrations, models
from django.db.models import Count, Q


def count_existing(apps, schema_editor):
    Shop = apps.get_model("catalog", "Shop")
    counted = Shop.objects.annotate(n=Count("offers", filter=Q(offers__active=True))).values_list("pk", "n")
    for shop_id, n in counted.iterator(chunk_size=2000):
        if n:
            Shop.objects.filter(pk=shop_id).update(active_offers=n)


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0008_origin_postal_code"),
    ]

    operations = [
        migrations.AddField(
            model_name="shop",
            name="active_offers",
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name="active offers"),
        ),
        migrations.RunPython(count_existing, migrations.RunPython.noop),
    ]
