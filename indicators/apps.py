from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_migrate, pre_save


def _staff_with_role(sender, instance, action, reverse, pk_set, **kwargs):
    """Putting a user in a pccperf role makes them staff: the admin is where
    analysts work and panel members read, and Django lets only staff sign in
    there. Without this, an administrator who follows the README's steps
    (add the group, add the force) gives an account that cannot sign in."""
    if action != "post_add" or not pk_set:
        return
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from indicators.access.roles import ANALYST, PANEL

    User = get_user_model()
    roles = Group.objects.filter(name__in=[ANALYST, PANEL])
    if reverse:     # group.user_set.add(users)
        if instance.name in (ANALYST, PANEL):
            User.objects.filter(pk__in=pk_set, is_staff=False).update(is_staff=True)
    elif roles.filter(pk__in=pk_set).exists() and not instance.is_staff:
        instance.is_staff = True
        User.objects.filter(pk=instance.pk).update(is_staff=True)


class IndicatorsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "indicators"
    verbose_name = "Plans and indicators"

    def ready(self):
        from django.contrib.auth import get_user_model

        from indicators.sql import lookups

        lookups.register()          # field__any_of: a long id list as one array on PostgreSQL

        from indicators.access import roles

        # Groups come back after a flush (tests) as well as after migrate.
        post_migrate.connect(roles.post_migrate, sender=self, dispatch_uid="indicators-roles")
        m2m_changed.connect(_staff_with_role, sender=get_user_model().groups.through,
                            dispatch_uid="indicators-staff-with-role")

        from indicators import versioning

        versioning.connect_signals(self)

        # A figure published without a history row (its Observation records
        # its first value) gets that row before an edit changes it.
        from indicators.models import Observation
        from indicators.returns.history import first_value_before_save

        pre_save.connect(first_value_before_save, sender=Observation, dispatch_uid="indicators-first-value")
