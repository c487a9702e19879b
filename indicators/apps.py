from django.apps import AppConfig
from django.db.models.signals import post_migrate


class IndicatorsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "indicators"
    verbose_name = "Plans and indicators"

    def ready(self):
        from indicators import roles

        # Groups come back after a flush (tests) as well as after migrate.
        post_migrate.connect(roles.post_migrate, sender=self, dispatch_uid="indicators-roles")

        from indicators import versioning

        versioning.connect_signals(self)
