from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo town and the `comptoir demo` command: an outer layer that may use every app."""

    name = "comptoir.demo"
    label = "demo"
