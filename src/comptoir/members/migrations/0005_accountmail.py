from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("members", "0004_membership_shares")]

    operations = [
        migrations.CreateModel(
            name="AccountMail",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("address_digest", models.CharField(max_length=64)),
                ("kind", models.CharField(max_length=32)),
                ("sent", models.DateTimeField(db_index=True)),
            ],
            options={
                "indexes": [models.Index(fields=["address_digest", "kind"], name="account_mail_lookup")],
            },
        ),
    ]
