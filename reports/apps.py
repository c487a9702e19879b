from django.apps import AppConfig


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"

    def ready(self):
        # A publish queues the panel packs it made stale and the force's pages for readers (reports/packs.py).
        from django.db.models.signals import post_save

        from indicators.models import (
            Commentary,
            ExecutiveSummary,
            Observation,
            PanelMeeting,
            Return,
            ReturnState,
            WritingState,
        )
        from reports import packs

        def return_published(sender, instance, update_fields=None, **kwargs):
            if packs.quiet():
                return
            if instance.state == ReturnState.PUBLISHED and update_fields and "state" in update_fields:
                # its figures: the lines it held, or (an import published at once holds none) those it wrote
                months = set(instance.lines.values_list("month", flat=True).distinct()) or set(
                    Observation.objects.filter(source_return=instance).values_list("month", flat=True).distinct())
                packs.queue_after_publish([instance.force_id], set(months))

        def writing_published(sender, instance, **kwargs):
            if packs.quiet():
                return
            if instance.state == WritingState.PUBLISHED and instance.force_id:
                packs.queue_after_publish([instance.force_id], [instance.month] if instance.month else [])

        def meeting_saved(sender, instance, **kwargs):
            # the meeting's paper: its front sheet (reference, author, recommendation) is the pack's cover
            if not packs.quiet():
                packs.queue_after_publish([instance.force_id], [instance.period])

        post_save.connect(meeting_saved, sender=PanelMeeting, dispatch_uid="pccperf-packs-meeting", weak=False)
        post_save.connect(return_published, sender=Return, dispatch_uid="pccperf-packs-return", weak=False)
        for model in (Commentary, ExecutiveSummary):
            post_save.connect(writing_published, sender=model, dispatch_uid=f"pccperf-packs-{model.__name__}",
                              weak=False)
