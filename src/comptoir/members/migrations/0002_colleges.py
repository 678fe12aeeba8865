from django.db import migrations

COLLEGES = ["shops", "workers", "residents", "staff"]


def create_colleges(apps, schema_editor):
    College = apps.get_model("members", "College")
    for code in COLLEGES:
        College.objects.get_or_create(code=code)


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial")]
    operations = [migrations.RunPython(create_colleges, migrations.RunPython.noop)]
