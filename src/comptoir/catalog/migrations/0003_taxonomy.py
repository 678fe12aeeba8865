from django.db import migrations

from comptoir.catalog.taxonomy import TAXONOMY, parent_path


def load_taxonomy(apps, schema_editor):
    Category = apps.get_model("catalog", "Category")
    by_path = {}
    for path, name_fr, name_en in TAXONOMY:
        by_path[path], _created = Category.objects.get_or_create(
            path=path,
            defaults={"name_fr": name_fr, "name_en": name_en, "parent": by_path.get(parent_path(path) or "")},
        )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_initial")]
    operations = [migrations.RunPython(load_taxonomy, migrations.RunPython.noop)]
