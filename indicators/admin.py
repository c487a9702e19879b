"""Admin registration: an analyst finds an indicator and its observations fast."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from indicators import models, periods


class PopulationInline(admin.TabularInline):
    model = models.ForcePopulation
    extra = 0


@admin.register(models.Force)
class ForceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_demo"]
    search_fields = ["name", "slug"]
    list_filter = ["is_demo"]
    filter_horizontal = ["msg_peers"]
    inlines = [PopulationInline]


class AreaInline(admin.TabularInline):
    model = models.AreaOfFocus
    extra = 0


@admin.register(models.Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["title", "force", "start", "end", "area_label", "is_demo"]
    list_filter = ["force", "is_demo"]
    search_fields = ["title", "force__name"]
    inlines = [AreaInline]


@admin.register(models.AreaOfFocus)
class AreaOfFocusAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "plan"]
    list_filter = ["plan__force"]
    search_fields = ["title"]


class MeasureInline(admin.TabularInline):
    model = models.PriorityIndicator
    extra = 0
    autocomplete_fields = ["indicator"]


@admin.register(models.StrategicPriority)
class StrategicPriorityAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "area", "plan"]
    list_filter = ["plan__force"]
    search_fields = ["title"]
    inlines = [MeasureInline]


class TargetInline(admin.TabularInline):
    model = models.Target
    extra = 0


@admin.register(models.Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "force", "unit", "aggregation", "polarity", "msg"]
    list_filter = ["force", "unit", "aggregation", "polarity", "msg"]
    search_fields = ["code", "name", "force__name", "force__slug"]
    list_select_related = ["force"]
    inlines = [TargetInline]


@admin.register(models.Target)
class TargetAdmin(SimpleHistoryAdmin):
    list_display = ["indicator", "financial_year", "kind", "value", "tolerance", "wording"]
    list_filter = ["kind", "financial_year", "indicator__force"]
    search_fields = ["indicator__code", "indicator__name", "wording"]
    list_select_related = ["indicator__force"]
    autocomplete_fields = ["indicator"]


@admin.register(models.Return)
class ReturnAdmin(SimpleHistoryAdmin):
    list_display = ["force", "period", "state", "author", "created_at", "published_at", "is_demo"]
    list_filter = ["state", "force", "is_demo"]
    search_fields = ["period", "source", "force__name"]
    list_select_related = ["force", "author"]


@admin.register(models.Observation)
class ObservationAdmin(SimpleHistoryAdmin):
    list_display = ["indicator", "month_display", "value", "numerator", "denominator", "status", "source_return"]
    list_filter = ["status", "indicator__force", "month"]
    search_fields = ["indicator__code", "indicator__name", "note"]
    list_select_related = ["indicator__force", "source_return__force"]
    autocomplete_fields = ["indicator"]
    date_hierarchy = "month"

    @admin.display(description="Month", ordering="month")
    def month_display(self, obj):
        return periods.format_month(obj.month)


@admin.register(models.Assessment)
class AssessmentAdmin(SimpleHistoryAdmin):
    list_display = ["indicator", "month", "rag", "status_text", "author"]
    list_filter = ["rag", "indicator__force"]
    search_fields = ["indicator__code", "indicator__name", "status_text"]
    list_select_related = ["indicator__force", "author"]
    autocomplete_fields = ["indicator"]


@admin.register(models.Commentary)
class CommentaryAdmin(SimpleHistoryAdmin):
    list_display = ["force", "priority", "indicator", "month", "author", "updated_at"]
    list_filter = ["force"]
    search_fields = ["text", "priority__title", "indicator__name"]
    list_select_related = ["force", "priority", "indicator__force", "author"]
    autocomplete_fields = ["indicator"]


@admin.register(models.PanelMeeting)
class PanelMeetingAdmin(admin.ModelAdmin):
    list_display = ["force", "date", "period", "mode", "theme", "notes"]
    list_filter = ["force", "mode"]
    date_hierarchy = "date"


admin.site.site_header = "pccperf data entry"
admin.site.site_title = "pccperf"
admin.site.index_title = "Plans, indicators and returns"
