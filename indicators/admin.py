"""The admin: where analysts enter returns and write assessments and commentary.

Every queryset, choice list and save is scoped to the forces the user may
edit (superusers: all). Plans, indicators and targets come from plan files
and are read-only here for analysts. Returns carry the quarterly grid, the
file import with preview, the template download, and submit/publish.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from indicators import models, periods
from indicators.admin_returns import ReturnViews
from indicators.permissions import can_edit, editable_force_ids, member_force_ids
from indicators.returns import ReturnError, submit_return


class ForceScoped:
    """Limit what an analyst sees and may change to their forces.
    ``force_path`` is the lookup from the model to its Force."""

    force_path = "force"

    def _force_ids(self, request):
        if request.user.is_superuser:
            return None
        editable = editable_force_ids(request.user)
        return editable | member_force_ids(request.user) if editable is not None else None

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        ids = self._force_ids(request)
        return qs if ids is None else qs.filter(**{f"{self.force_path}__in": ids})

    def _object_force(self, obj):
        target = obj
        for part in self.force_path.split("__"):
            target = getattr(target, part, None)
            if target is None:
                return None
        return target

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if allowed and obj is not None and self._object_force(obj) is not None:
            return can_edit(request.user, self._object_force(obj))
        return allowed

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        if allowed and obj is not None and self._object_force(obj) is not None:
            return can_edit(request.user, self._object_force(obj))
        return allowed

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        ids = editable_force_ids(request.user)
        if ids is not None:
            if db_field.related_model is models.Force:
                kwargs["queryset"] = models.Force.objects.filter(pk__in=ids)
            elif db_field.related_model is models.Indicator:
                kwargs["queryset"] = models.Indicator.objects.filter(force_id__in=ids).select_related("force")
            elif db_field.related_model is models.StrategicPriority:
                kwargs["queryset"] = models.StrategicPriority.objects.filter(plan__force_id__in=ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        force = self._object_force(obj)
        if force is not None and not can_edit(request.user, force):
            raise PermissionDenied(f"You may not edit figures for {force}.")
        super().save_model(request, obj, form, change)


class PopulationInline(admin.TabularInline):
    model = models.ForcePopulation
    extra = 0


class MembershipInline(admin.TabularInline):
    model = models.ForceMembership
    extra = 0
    autocomplete_fields = ["force"]


@admin.register(models.Force)
class ForceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_demo"]
    search_fields = ["name", "slug"]
    list_filter = ["is_demo"]
    filter_horizontal = ["msg_peers"]
    inlines = [PopulationInline]


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class PccperfUserAdmin(UserAdmin):
    """Users with the forces they work on (their role is their group)."""
    inlines = [MembershipInline]
    list_display = ["username", "email", "is_staff", "is_superuser", "roles", "forces"]

    @admin.display(description="Roles")
    def roles(self, obj):
        return ", ".join(obj.groups.values_list("name", flat=True))

    @admin.display(description="Forces")
    def forces(self, obj):
        return ", ".join(obj.force_memberships.values_list("force__slug", flat=True))


class AreaInline(admin.TabularInline):
    model = models.AreaOfFocus
    extra = 0


@admin.register(models.Plan)
class PlanAdmin(ForceScoped, admin.ModelAdmin):
    list_display = ["title", "force", "start", "end", "area_label", "is_demo"]
    list_filter = ["force", "is_demo"]
    search_fields = ["title", "force__name"]
    inlines = [AreaInline]


@admin.register(models.AreaOfFocus)
class AreaOfFocusAdmin(ForceScoped, admin.ModelAdmin):
    force_path = "plan__force"
    list_display = ["number", "title", "plan"]
    list_filter = ["plan__force"]
    search_fields = ["title"]


class MeasureInline(admin.TabularInline):
    model = models.PriorityIndicator
    extra = 0
    autocomplete_fields = ["indicator"]


@admin.register(models.StrategicPriority)
class StrategicPriorityAdmin(ForceScoped, admin.ModelAdmin):
    force_path = "plan__force"
    list_display = ["number", "title", "area", "plan"]
    list_filter = ["plan__force"]
    search_fields = ["title"]
    inlines = [MeasureInline]


class TargetInline(admin.TabularInline):
    model = models.Target
    extra = 0


@admin.register(models.Indicator)
class IndicatorAdmin(ForceScoped, admin.ModelAdmin):
    list_display = ["code", "name", "force", "unit", "aggregation", "polarity", "msg"]
    list_filter = ["force", "unit", "aggregation", "polarity", "msg"]
    search_fields = ["code", "name", "force__name", "force__slug"]
    list_select_related = ["force"]
    inlines = [TargetInline]


@admin.register(models.Target)
class TargetAdmin(ForceScoped, SimpleHistoryAdmin):
    force_path = "indicator__force"
    list_display = ["indicator", "financial_year", "kind", "value", "tolerance", "wording"]
    list_filter = ["kind", "financial_year", "indicator__force"]
    search_fields = ["indicator__code", "indicator__name", "wording"]
    list_select_related = ["indicator__force"]
    autocomplete_fields = ["indicator"]


class ReturnLineInline(admin.TabularInline):
    model = models.ReturnLine
    extra = 0
    can_delete = False
    fields = ["indicator", "month", "value", "numerator", "denominator", "status", "note", "row"]
    readonly_fields = fields
    ordering = ["indicator__code", "month"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.Return)
class ReturnAdmin(ForceScoped, ReturnViews, SimpleHistoryAdmin):
    list_display = ["__str__", "force", "period", "state_label", "author", "created_at", "published_at",
                    "line_count"]
    list_filter = ["state", "force", "is_demo"]
    search_fields = ["period", "source", "force__name"]
    list_select_related = ["force", "author"]
    readonly_fields = ["state", "author", "created_at", "submitted_at", "submitted_by", "published_at",
                       "published_by", "source", "is_demo"]
    fields = ["force", "period", "source", "state", "author", "created_at", "submitted_at", "submitted_by",
              "published_at", "published_by", "is_demo"]
    inlines = [ReturnLineInline]
    actions = ["submit_returns", "publish_returns"]
    change_list_template = "admin/indicators/return/change_list.html"

    @admin.display(description="State", ordering="state")
    def state_label(self, obj):
        style = {"draft": "#b10e1e", "submitted": "#b35c00", "published": "#00703c"}[obj.state]
        return format_html('<strong style="color:{}">{}</strong>', style, obj.get_state_display())

    def get_queryset(self, request):
        # figures waiting (lines) or, once published, written (observations)
        return super().get_queryset(request).annotate(
            n_lines=Count("lines", distinct=True), n_published=Count("observations", distinct=True))

    @admin.display(description="Figures")
    def line_count(self, obj):
        return obj.n_lines or obj.n_published

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.state == models.ReturnState.PUBLISHED:
            return False        # published figures change only by a new return
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.author = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description="Submit the selected draft returns")
    def submit_returns(self, request, queryset):
        self._act(request, queryset, submit_return, "submitted")

    @admin.action(description="Publish the selected returns (make their figures public)",
                  permissions=["publish"])
    def publish_returns(self, request, queryset):
        return self.publish_selected(request, queryset)     # asks to confirm a stale draft's conflicts

    def has_publish_permission(self, request):
        return request.user.has_perm("indicators.publish_return")

    def _act(self, request, queryset, action, word):
        for ret in queryset.select_related("force"):
            try:
                result = action(ret, user=request.user)
            except ReturnError as exc:
                self.message_user(request, str(exc), messages.ERROR)
                continue
            extra = f": {result['new']} new, {result['changed']} changed, {result['unchanged']} unchanged" \
                if isinstance(result, dict) else ""
            self.message_user(request, f"Return {ret.pk} ({ret.force.slug} {ret.period}) {word}{extra}.")


@admin.register(models.Observation)
class ObservationAdmin(ForceScoped, SimpleHistoryAdmin):
    """Published figures. They change through returns (grid or file), which
    keep a record of who published what; here they are read, with history."""
    force_path = "indicator__force"
    list_display = ["indicator", "month_display", "value", "numerator", "denominator", "status", "source_return",
                    "updated_at"]
    list_filter = ["status", "indicator__force", "month"]
    search_fields = ["indicator__code", "indicator__name", "note"]
    list_select_related = ["indicator__force", "source_return__force"]
    autocomplete_fields = ["indicator"]
    date_hierarchy = "month"
    history_list_display = ["value", "numerator", "denominator", "status", "source_return"]

    @admin.display(description="Month", ordering="month")
    def month_display(self, obj):
        return periods.format_month(obj.month)

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_change_permission(request, obj)


class AssessmentForm(forms.ModelForm):
    class Meta:
        model = models.Assessment
        fields = ["indicator", "month", "rag", "status_text", "reason"]

    def clean_month(self):
        month = self.cleaned_data["month"]
        return month.replace(day=1) if month else month

    def clean(self):
        data = super().clean()
        indicator, month, rag = data.get("indicator"), data.get("month"), data.get("rag")
        if indicator and month and rag and not (data.get("reason") or "").strip():
            target = indicator.targets.filter(financial_year=periods.financial_year(month)).first()
            if target is not None and target.kind in ("change", "absolute"):
                raise ValidationError({"reason": "This measure has a numeric target, so its RAG is computed; "
                                                 "give the reason for overriding it."})
        return data


@admin.register(models.Assessment)
class AssessmentAdmin(ForceScoped, SimpleHistoryAdmin):
    force_path = "indicator__force"
    form = AssessmentForm
    list_display = ["indicator", "month", "rag", "status_text", "author"]
    list_filter = ["rag", "indicator__force"]
    search_fields = ["indicator__code", "indicator__name", "status_text"]
    list_select_related = ["indicator__force", "author"]
    autocomplete_fields = ["indicator"]

    def save_model(self, request, obj, form, change):
        obj.author = request.user
        super().save_model(request, obj, form, change)


class CommentaryForm(forms.ModelForm):
    class Meta:
        model = models.Commentary
        fields = ["force", "priority", "indicator", "month", "text"]
        help_texts = {"text": "Markdown: **bold**, *italic*, lists, links. Scripts and HTML are removed on display."}

    def clean_month(self):
        month = self.cleaned_data["month"]
        return month.replace(day=1) if month else month

    def clean(self):
        data = super().clean()
        priority, indicator, force = data.get("priority"), data.get("indicator"), data.get("force")
        if bool(priority) == bool(indicator):
            raise ValidationError("Choose a priority or an indicator (one of them).")
        owner = priority.plan.force if priority else (indicator.force if indicator else None)
        if owner and force and owner != force:
            raise ValidationError({"force": f"The {'priority' if priority else 'indicator'} belongs to {owner}."})
        return data


@admin.register(models.Commentary)
class CommentaryAdmin(ForceScoped, SimpleHistoryAdmin):
    form = CommentaryForm
    list_display = ["force", "priority", "indicator", "month", "author", "updated_at"]
    list_filter = ["force"]
    search_fields = ["text", "priority__title", "indicator__name"]
    list_select_related = ["force", "priority", "indicator__force", "author"]
    autocomplete_fields = ["indicator"]

    def save_model(self, request, obj, form, change):
        obj.author = request.user
        super().save_model(request, obj, form, change)


@admin.register(models.PanelMeeting)
class PanelMeetingAdmin(ForceScoped, admin.ModelAdmin):
    list_display = ["force", "date", "period", "mode", "theme", "notes"]
    list_filter = ["force", "mode"]
    date_hierarchy = "date"


@admin.register(models.ForceMembership)
class ForceMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "force"]
    list_filter = ["force"]
    autocomplete_fields = ["user", "force"]


admin.site.site_header = "pccperf data entry"
admin.site.site_title = "pccperf"
admin.site.index_title = "Returns, assessments and commentary"
