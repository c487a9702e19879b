"""The admin: where analysts enter returns and write assessments and commentary.

Every queryset, choice list, save, action and history page is scoped by
one mixin (ForceScoped, with ScopedHistoryAdmin for the history pages) to
the rules of indicators.access.permissions: a force's analysts read and change its
data, drafts included; its panel members read its published data; history
is read-only for everyone but superusers. Plans, indicators and targets come
from plan files and are read-only here for analysts. Returns carry the quarterly grid, the
file import with preview, the template download, and submit/publish.
"""

import re
from datetime import date

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from indicators import models, periods, selectors, vocabulary
from indicators.access.permissions import (
    draft_force_ids,
    editable_force_ids,
    granted_peer_ids,
    readable_force_ids,
    writable_force_ids,
    write_refusal,
)
from indicators.admin.returns import ReturnViews
from indicators.admin.review import ReviewViews
from indicators.engine.performance import evaluate
from indicators.models import ReturnState
from indicators.returns.workflow import ReturnError, submit_return


class ForceScoped:
    """Limit what a user sees and may change in the admin to their forces,
    by the rules of indicators.access.permissions; one place for every page of a
    model: the change list, the change page, the actions and (with
    ScopedHistoryAdmin) the history list and versions.

    ``force_path`` is the lookup from the model to its Force. ``draft_path``
    says what makes a row a draft: None, it has no drafts; "", it is a
    Return; "source_return", the return it came from (unpublished = draft;
    none = published, as the pages count it). ``files_for_peers``: returns
    of the peers the user may file for (permissions.granted_peer_ids: an
    MSG peer with no plan, granted to their force) are theirs to see and act on.
    """

    force_path = "force"
    draft_path: str | None = None
    files_for_peers = False

    # --- who: force ids (None = every force) ------------------------------------------------

    def readable_ids(self, user):
        ids = readable_force_ids(user)
        return ids | granted_peer_ids(user) if self.files_for_peers and ids is not None else ids

    def draft_ids(self, user):
        return writable_force_ids(user) if self.files_for_peers else draft_force_ids(user)

    def editable_ids(self, user):
        return writable_force_ids(user) if self.files_for_peers else editable_force_ids(user)

    # --- what: rows --------------------------------------------------------------------------

    def scope(self, request) -> Q:
        """The rows (or history records: they have the same fields) the user
        may read: of a readable force and, if a draft, of a force whose drafts
        they see."""
        readable, drafts = self.readable_ids(request.user), self.draft_ids(request.user)
        q = Q() if readable is None else Q(**{f"{self.force_path}__in": readable})
        if self.draft_path is not None and drafts is not None:
            if self.draft_path:
                published = Q(**{f"{self.draft_path}__isnull": True}) | Q(
                    **{f"{self.draft_path}__state": ReturnState.PUBLISHED})
            else:
                published = Q(state=ReturnState.PUBLISHED)
            q &= published | Q(**{f"{self.force_path}__in": drafts})
        return q

    def get_queryset(self, request):
        return super().get_queryset(request).filter(self.scope(request))

    def _object_force(self, obj):
        target = obj
        for part in self.force_path.split("__"):
            target = getattr(target, part, None)
            if target is None:
                return None
        return target

    def _is_draft(self, obj) -> bool:
        if self.draft_path is None:
            return False
        ret = obj if self.draft_path == "" else getattr(obj, self.draft_path, None)
        return ret is not None and ret.state != ReturnState.PUBLISHED

    def may_read(self, request, obj) -> bool:
        """scope() for one object (a live one or a historical version)."""
        force = self._object_force(obj)
        readable = self.readable_ids(request.user)
        if readable is not None and (force is None or force.pk not in readable):
            return False
        drafts = self.draft_ids(request.user)
        return not self._is_draft(obj) or drafts is None or force.pk in drafts

    def may_edit(self, request, obj) -> bool:
        ids = self.editable_ids(request.user)
        force = self._object_force(obj)
        return self.may_read(request, obj) and (ids is None or (force is not None and force.pk in ids))

    # --- Django's permission hooks -----------------------------------------------------------

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or self.may_read(request, obj))

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or self.may_edit(request, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or self.may_edit(request, obj))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        ids = self.editable_ids(request.user)
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
        ids = self.editable_ids(request.user)
        if ids is not None and (force is None or force.pk not in ids):
            # The form offers only the user's forces; this refuses a forged post, saying why.
            why = write_refusal(request.user, force) if self.files_for_peers and force is not None else None
            raise PermissionDenied(why or f"You may not change the data of {force}: it is not one of your forces.")
        super().save_model(request, obj, form, change)


class ScopedHistoryAdmin(ForceScoped, SimpleHistoryAdmin):
    """django-simple-history's history pages, scoped like the change pages
    and read-only for everyone but superusers.

    The history list and each version are shown only when the object is one
    the user may read (else 404), and list only the versions the user may
    read (a version of another force, or a draft version for a panel
    member, is not shown). Reverting is a POST to a version: refused (403)
    for anyone but a superuser, nothing changed; a superuser's revert is an
    edit of the object as it is now (the change page's permission, scoping
    and save), so it changes what an edit may change and never the workflow
    (a return's state moves only by submit and publish); ``revert_refusal``
    names what may never be reverted (a published return)."""

    def _pk_or_404(self, object_id):
        try:
            return self.model._meta.pk.to_python(unquote(object_id))
        except (ValidationError, ValueError, TypeError):
            raise Http404 from None

    def _live_in_scope_or_404(self, request, object_id):
        """The object as it is now (None if deleted); 404 if it exists and
        the user may not read it, whatever its versions say; 403 first for
        a user with no permission on the model at all, as the change page."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        pk = self._pk_or_404(object_id)
        live = self.model._default_manager.filter(pk=pk).first()
        if live is not None and not self.get_queryset(request).filter(pk=pk).exists():
            raise Http404
        return pk, live

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        return super().get_history_queryset(request, history_manager, pk_name, object_id).filter(self.scope(request))

    def history_view(self, request, object_id, extra_context=None):
        self._live_in_scope_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def revert_refusal(self, request, live, version) -> str | None:
        """Why ``live`` may not be reverted to ``version`` (None: it may)."""
        if live is None:
            return f"{version} was deleted; add it again rather than reverting it."
        if not self.has_change_permission(request, live):
            return f"You may not change {live}."
        return None

    def revert_disabled(self, request, obj=None):
        return not getattr(request, "_pccperf_may_revert", False) or super().revert_disabled(request, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if getattr(request, "_pccperf_history_read_only", False):
            names = list(self.fields or []) or [f.name for f in self.model._meta.fields
                                                 if f.editable and not f.primary_key]
            return [*names, *[f for f in fields if f not in names]]
        return fields

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        pk, live = self._live_in_scope_or_404(request, object_id)
        history = getattr(self.model, self.model._meta.simple_history_manager_attribute)
        try:
            record = history.filter(self.scope(request)).get(**{self.model._meta.pk.attname: pk,
                                                                "history_id": version_id})
        except (history.model.DoesNotExist, ValidationError, ValueError):
            raise Http404 from None
        version = record.instance
        if request.method == "POST":
            if not request.user.is_superuser:
                raise PermissionDenied("History is read-only: change the object itself, or file a new return.")
            return self._revert(request, live, record)
        request._pccperf_may_revert = (request.user.is_superuser
                                       and self.revert_refusal(request, live, version) is None)
        request._pccperf_history_read_only = not request._pccperf_may_revert
        return super().history_form_view(request, object_id, version_id, extra_context)

    def _revert(self, request, live, record):
        """A superuser's revert: the version's values, posted by its form,
        saved onto the object as it is now, as the change page would."""
        version = record.instance
        history_list = reverse(f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}_history",
                               args=[version.pk])
        refusal = self.revert_refusal(request, live, version)
        if refusal:
            self.message_user(request, refusal, messages.ERROR)
            return redirect(history_list)
        form = self.get_form(request, live, change=True)(request.POST, request.FILES, instance=live)
        if not form.is_valid():
            problems = "; ".join(f"{field}: {' '.join(errors)}" for field, errors in form.errors.items())
            self.message_user(request, f"Not reverted, nothing changed: {problems}", messages.ERROR)
            return redirect(request.path)
        obj = self.save_form(request, form, change=True)
        self.save_model(request, obj, form, change=True)
        form.save_m2m()
        self.log_change(request, obj, self.construct_change_message(request, form, []))
        when = timezone.localtime(record.history_date)
        self.message_user(request, f"{obj} was reverted to the version of {when:%d %B %Y %H:%M}.", messages.SUCCESS)
        return redirect(history_list)


class PopulationInline(admin.TabularInline):
    model = models.ForcePopulation
    extra = 0


class MembershipInline(admin.StackedInline):
    """Stacked, not tabular: the tabular inline's Delete box has no label (axe)."""
    model = models.ForceMembership
    extra = 0
    autocomplete_fields = ["force"]


class ForceForm(forms.ModelForm):
    """A force, with the peers its analysts may file for (Force.files_for):
    only MSG peers of the force (as this form lists them) with no plan of
    their own may be granted (docs/decisions.md, "Who may write a force's
    figures"), and the benchmark series (england-and-wales, wales; SPEC §6)."""

    class Meta:
        model = models.Force
        fields = "__all__"

    def clean(self):
        data = super().clean()
        granted, peers = data.get("files_for"), data.get("msg_peers")
        if granted is None or peers is None:
            return data
        problems = []
        for force in granted:
            if force.pk == self.instance.pk:
                problems.append(f"{force} cannot file for itself: its analysts file its figures already.")
            elif force not in peers and not force.is_benchmark:      # a benchmark series needs no MSG link
                problems.append(f"{force} is not one of this force's MSG peers; only a peer can be granted.")
            elif force.plans.exists():
                problems.append(f"{force} has its own plan; only its analysts may file its figures.")
        if problems:
            raise ValidationError({"files_for": problems})
        return data


@admin.register(models.Force)
class ForceAdmin(admin.ModelAdmin):
    form = ForceForm
    list_display = ["name", "slug", "is_demo", "files_for_list"]
    search_fields = ["name", "slug"]
    list_filter = ["is_demo"]
    filter_horizontal = ["msg_peers", "files_for"]
    readonly_fields = ["filed_for_by_list"]
    inlines = [PopulationInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("files_for")

    @admin.display(description="Files for (MSG peers without a plan)")
    def files_for_list(self, obj):
        return ", ".join(f.name for f in obj.files_for.all()) or "—"

    @admin.display(description="Filed for by (forces whose analysts may file this force's MSG figures)")
    def filed_for_by_list(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        if obj.plans.exists():
            return "No one: it has its own plan, so only its analysts file its figures."
        return ", ".join(obj.filed_for_by.values_list("name", flat=True)) or "No one (no force was granted it)."


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class PccperfUserAdmin(UserAdmin):
    """Users with the forces they work on (their role is their group). The
    forces come first on the user's page (its template puts the inline above
    the fields), and the 100-odd individual permissions are folded away at
    the end: a role is a group (issue 28 item 8)."""
    inlines = [MembershipInline]
    list_display = ["username", "email", "is_staff", "is_superuser", "roles", "forces"]
    change_form_template = "admin/auth/user/pccperf_change_form.html"
    # Plain labelled lists, not the two-box picker: its help icons carry an aria-label axe refuses on a span,
    # and a role is one of two groups. The dates are shown, not edited (their split inputs have no labels).
    filter_horizontal = ()
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Role", {"fields": ("groups", "is_active", "is_staff", "is_superuser"),
                  "description": "OPCC analyst enters and publishes a force's figures; Panel member reads its "
                                 "drafts. Either ticks Staff status."}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        ("Individual permissions (rarely needed: a role is a group)",
         {"fields": ("user_permissions",), "classes": ("collapse",)}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )

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

    def get_urls(self):
        from django.urls import path

        from indicators.admin.plan_upload import load_view
        return [path("load/", self.admin_site.admin_view(lambda request: load_view(self, request)),
                     name="indicators_plan_load")] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        from indicators.admin.plan_upload import may_load
        return super().changelist_view(request, {**(extra_context or {}), "can_load_plan": may_load(request.user)})


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
class TargetAdmin(ScopedHistoryAdmin):
    force_path = "indicator__force"
    list_display = ["indicator", "financial_year", "kind", "value", "tolerance", "wording"]
    list_filter = ["kind", "financial_year", "indicator__force"]
    search_fields = ["indicator__code", "indicator__name", "wording"]
    list_select_related = ["indicator__force"]
    autocomplete_fields = ["indicator"]


class FiledForFilter(admin.SimpleListFilter):
    """Returns filed for an MSG peer with no plan of its own (by analysts of
    a force it was granted to) apart from the forces' own, for a reviewer
    (issue 24, item 1)."""
    title = "filed for"
    parameter_name = "filed_for"

    def lookups(self, request, model_admin):
        return [("own", "A force's own plan"), ("peer", "An MSG peer (no plan of its own)")]

    def queryset(self, request, queryset):
        if self.value() in ("own", "peer"):
            return queryset.filter(for_peer=self.value() == "peer")
        return queryset


class ReturnLineInline(admin.TabularInline):
    model = models.ReturnLine
    extra = 0
    can_delete = False
    fields = ["indicator", "area", "month", "value", "numerator", "denominator", "status", "note", "row"]
    readonly_fields = fields
    ordering = ["indicator__code", "month"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.Return)
class ReturnAdmin(ReviewViews, ReturnViews, ScopedHistoryAdmin):
    draft_path = ""
    files_for_peers = True
    history_list_display = ["force", "period", "state", "source"]
    list_display = ["__str__", "force", "filed_for", "period", "state_label", "author", "created_at",
                    "published_at", "line_count", "review_link"]
    list_filter = ["state", FiledForFilter, "force", "is_demo"]
    search_fields = ["period", "source", "force__name"]
    list_select_related = ["force", "author"]
    readonly_fields = ["state", "author", "created_at", "submitted_at", "submitted_by", "published_at",
                       "published_by", "source", "is_demo"]
    fields = ["force", "period", "source", "state", "author", "created_at", "submitted_at", "submitted_by",
              "published_at", "published_by", "is_demo"]
    inlines = [ReturnLineInline]
    actions = ["submit_returns", "publish_returns"]

    def get_ordering(self, request):
        # the force's own returns first (its force has a plan), then those filed for MSG peers, apart
        # (an expression: ``for_peer``, get_queryset's annotation, is not there yet when this orders)
        has_plan = Exists(models.Plan.objects.filter(force=OuterRef("force")))
        return [has_plan.desc(), "force__name", "-created_at"]
    change_list_template = "admin/indicators/return/change_list.html"

    def get_urls(self):
        from indicators.admin import opendata
        return opendata.urls(self) + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        from indicators.opendata.policeuk_upload import may_import
        return super().changelist_view(request, {**(extra_context or {}),
                                                 "can_import_opendata": may_import(request.user)})

    @admin.display(description="State", ordering="state")
    def state_label(self, obj):
        style = {"draft": "#b10e1e", "submitted": "#b35c00", "published": "#00703c"}[obj.state]
        return format_html('<strong style="color:{}">{}</strong>', style, obj.get_state_display())

    def get_queryset(self, request):
        # figures waiting (lines) or, once published, written (observations); a peer's return: its
        # force has no plan, so someone of another force filed it (FiledForFilter)
        return super().get_queryset(request).annotate(
            n_lines=Count("lines", distinct=True), n_published=Count("observations", distinct=True),
            for_peer=~Exists(models.Plan.objects.filter(force=OuterRef("force"))))

    @admin.display(description="Filed for", ordering="for_peer")
    def filed_for(self, obj):
        if getattr(obj, "for_peer", False):
            return format_html('<strong>An MSG peer</strong> (no plan of its own; filed by {})',
                               obj.author or "an operator")
        return "Its own plan"

    @admin.display(description="Figures")
    def line_count(self, obj):
        return obj.n_lines or obj.n_published

    @admin.display(description="Review")
    def review_link(self, obj):
        words = "Review what it published" if obj.state == models.ReturnState.PUBLISHED else "Review and publish"
        return format_html('<a href="{}">{}<span class="visually-hidden"> return #{}</span></a>',
                           reverse("admin:indicators_return_review", args=[obj.pk]), words, obj.pk)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.state == models.ReturnState.PUBLISHED:
            return False        # published figures change only by a new return
        return super().has_change_permission(request, obj)

    def revert_refusal(self, request, live, version):
        for ret in (live, version):
            if ret is not None and ret.state == models.ReturnState.PUBLISHED:
                return (f"Return {ret.pk} ({ret.force.slug} {ret.period}) is published, and a published return "
                        "is never reverted: its figures change only by a new return.")
        return super().revert_refusal(request, live, version)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.author = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description="Submit the selected draft returns", permissions=["change"])
    def submit_returns(self, request, queryset):
        self._act(request, queryset, submit_return, "submitted")

    @admin.action(description="Publish the selected returns (make their figures public)",
                  permissions=["publish"])
    def publish_returns(self, request, queryset):
        return self.publish_selected(request, queryset)     # warnings and stale conflicts: see the review page

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
class ObservationAdmin(ScopedHistoryAdmin):
    """Published figures. They change through returns (grid or file), which
    keep a record of who published what; here they are read, with history."""
    force_path = "indicator__force"
    draft_path = "source_return"
    list_display = ["indicator", "area", "month_display", "value", "numerator", "denominator", "status",
                    "source_return", "updated_at"]
    list_filter = ["status", "indicator__force", "month", ("area", admin.EmptyFieldListFilter)]
    search_fields = ["indicator__code", "indicator__name", "note", "area__name", "area__code"]
    list_select_related = ["indicator__force", "source_return__force", "area"]
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


class FirstOfMonthForm(forms.ModelForm):
    """A form whose ``month`` is stored as the first day of its month."""

    def clean_month(self):
        month = self.cleaned_data["month"]
        return month.replace(day=1) if month else month


class MonthField(forms.DateField):
    """A month as an analyst writes it: "June 2014", "Jun 2014" or "2014-06"
    (a full date, "2014-06-20", is taken as its month). Shown as "June 2014"."""

    widget = forms.TextInput
    default_error_messages = {"invalid": "Write the month as June 2014 or 2014-06."}

    def prepare_value(self, value):
        if isinstance(value, str) and value.strip():
            try:
                value = parse_month_words(value)        # "2014-06" from the add page's address: June 2014
            except ValidationError:
                return value                            # shown as typed, beside its error
        return periods.month_label(value) if isinstance(value, date) else value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, date):
            return periods.first_of_month(value)
        return parse_month_words(str(value))


def parse_month_words(text: str) -> date:
    """ "June 2014", "jun 2014", "2014-06" or "2014-06-20" as the first of
    its month; ValidationError otherwise."""
    text = " ".join(text.replace(",", " ").split())
    try:
        return periods.parse_month(text)
    except ValueError:
        pass
    match = re.fullmatch(r"([A-Za-z]+)\.? ([0-9]{4})", text)
    if match:
        word, year = match.group(1).lower(), int(match.group(2))
        for number, name in enumerate(periods.MONTH_NAMES, start=1):
            if word == name.lower() or (len(word) >= 3 and name.lower().startswith(word)):
                return date(year, number, 1)
    match = re.fullmatch(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})", text)
    if match:
        try:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3))).replace(day=1)
        except ValueError:
            pass
    raise ValidationError(f"{text!r} is not a month: write it as June 2014 or 2014-06.", code="invalid")


class WritingForm(FirstOfMonthForm):
    """Commentary and executive summaries: published at once, or a draft
    that publishes with the return for its period (docs/decisions.md,
    "Writing that publishes with the return"). Published writing stays
    published: its edits are public at once, so the public text never
    disappears while a new draft waits. The form offers a new one as a
    draft (issue 28). The month is written as a month ("June 2014" or
    "2014-06"), not a date."""

    month = MonthField(help_text="The month it is about: June 2014 or 2014-06.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "state" in self.fields:
            self.fields["state"].required = False       # not given: as it is (new: published)
            if self.instance.pk is None and "state" not in self.initial:
                self.fields["state"].initial = models.WritingState.DRAFT     # the form starts on draft

    def clean_state(self):
        state = self.cleaned_data.get("state") or self.instance.state or models.WritingState.PUBLISHED
        if (self.instance.pk and state == models.WritingState.DRAFT
                and type(self.instance).objects.filter(pk=self.instance.pk,
                                                       state=models.WritingState.PUBLISHED).exists()):
            raise ValidationError("This is published already; an edit to it is published at once, so it cannot "
                                  "go back to being a draft.")
        return state


class AssessmentForm(FirstOfMonthForm):
    class Meta:
        model = models.Assessment
        fields = ["indicator", "month", "rag", "rating", "status_text", "reason"]

    def clean(self):
        data = super().clean()
        indicator, month, rag = data.get("indicator"), data.get("month"), data.get("rag")
        rating = data.get("rating")
        has_reason = bool((data.get("reason") or "").strip())
        if indicator and month and rag and not has_reason:
            target = indicator.targets.filter(financial_year=periods.financial_year(month)).first()
            if target is not None and target.kind in ("change", "absolute"):
                raise ValidationError({"reason": "This measure has a numeric target, so its RAG is computed; "
                                                 "give the reason for overriding it."})
        if indicator and month and rating:
            self._check_rating(indicator, month, rating, has_reason)
        return data

    @staticmethod
    def _check_rating(indicator, month, rating, has_reason):
        """The rating must be one of the plan's method's values (SPEC §3
        "Ratings"), and overriding a rating the numbers give needs a reason."""
        method = selectors.plan_rating_method(force=indicator.force, period=month)
        allowed = vocabulary.RATING_VALUES[method]
        if method == "targets":
            raise ValidationError({"rating": "This force's plan judges its measures against targets: "
                                             "set the RAG instead of a rating."})
        if rating not in allowed:
            raise ValidationError({"rating": f"This force's plan judges its measures by "
                                             f"{vocabulary.ASSESSMENT_METHODS[method].lower()}: the rating "
                                             f"must be one of {', '.join(allowed)}."})
        if not has_reason:
            frame = selectors.indicator_frame(force=indicator.force, codes=[indicator.code], period=month)
            inputs = selectors.performance_inputs(force=indicator.force, indicators=frame, period=month,
                                                  include_drafts=True, rating_method=method)
            computed = evaluate(inputs, period=month, monthly=False)[0].rating.computed
            if computed is not None:
                raise ValidationError({"reason": f"The figures give this measure the rating {computed}; "
                                                 "give the reason for overriding it."})


class AuthoredAdmin(ScopedHistoryAdmin):
    """An analyst's writing (assessment, commentary, executive summary):
    whoever saves it last is its author."""

    def save_model(self, request, obj, form, change):
        obj.author = request.user
        super().save_model(request, obj, form, change)


@admin.register(models.Assessment)
class AssessmentAdmin(AuthoredAdmin):
    force_path = "indicator__force"
    form = AssessmentForm
    list_display = ["indicator", "month", "rag", "rating", "status_text", "author"]
    list_filter = ["rag", "rating", "indicator__force"]
    search_fields = ["indicator__code", "indicator__name", "status_text"]
    list_select_related = ["indicator__force", "author"]
    autocomplete_fields = ["indicator"]


class CommentaryForm(WritingForm):
    class Meta:
        model = models.Commentary
        fields = ["force", "priority", "indicator", "month", "text", "text_cy", "state"]
        help_texts = {"text": "Markdown: **bold**, *italic*, lists, links. Scripts and HTML are removed on display."}

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
class CommentaryAdmin(AuthoredAdmin):
    draft_path = ""          # a draft (state) is seen only by those who see the force's drafts
    form = CommentaryForm
    list_display = ["force", "priority", "indicator", "month", "state", "author", "updated_at"]
    list_filter = ["force"]
    search_fields = ["text", "priority__title", "indicator__name"]
    list_select_related = ["force", "priority", "indicator__force", "author"]
    autocomplete_fields = ["indicator"]


class ExecutiveSummaryForm(WritingForm):
    class Meta:
        model = models.ExecutiveSummary
        fields = ["force", "month", "text", "text_cy", "key_activity", "state"]
        labels = {"text": "Executive summary", "text_cy": "Executive summary in Welsh"}
        help_texts = {"text": "Markdown: **bold**, *italic*, lists, links. Opens the dashboard and the panel "
                              "report for this period. Scripts and HTML are removed on display.",
                      "key_activity": "Markdown, as above: the commissioner's key activity in the period that the "
                                      "measures do not show (decisions, audit, the annual report…). The panel "
                                      "report's cover sheet gives it."}

    def clean(self):
        data = super().clean()
        if not (data.get("text") or "").strip() and not (data.get("key_activity") or "").strip():
            raise ValidationError("Write the executive summary, the PCC key activity, or both.")
        return data


@admin.register(models.ExecutiveSummary)
class ExecutiveSummaryAdmin(AuthoredAdmin):
    draft_path = ""          # a draft (state) is seen only by those who see the force's drafts
    form = ExecutiveSummaryForm
    list_display = ["force", "month", "state", "author", "updated_at"]
    list_filter = ["force"]
    search_fields = ["text"]
    list_select_related = ["force", "author"]


class PanelMeetingForm(forms.ModelForm):
    """The meeting's period is a month as analysts write it: a mid-month date
    would match no report's period, and the pack would open without its
    front sheet. A theme goes with theme mode only, and theme mode needs one."""

    period = MonthField(help_text="The last month the meeting's report covers: June 2014 or 2014-06.")

    class Meta:
        model = models.PanelMeeting
        fields = "__all__"

    def clean(self):
        data = super().clean()
        mode, theme = data.get("mode"), data.get("theme")
        if mode == models.ReportMode.THEME and theme is None:
            raise ValidationError({"theme": "A meeting in theme mode reports on one area of focus (in a plan with "
                                            "no areas, one priority): give its number."})
        if mode and mode != models.ReportMode.THEME and theme is not None:
            raise ValidationError({"theme": "Only a meeting in theme mode takes a theme: clear it, or choose the "
                                            "mode \"One area of focus\"."})
        return data


@admin.register(models.PanelMeeting)
class PanelMeetingAdmin(ScopedHistoryAdmin):
    """A panel meeting: when, what its report covers, and its paper's front
    sheet (issue 29: reference, author, contact, recommendation; blank
    fields are left off the sheet)."""
    form = PanelMeetingForm
    list_display = ["force", "date", "reference", "period", "mode", "theme", "notes"]
    list_filter = ["force", "mode"]
    search_fields = ["reference", "notes"]
    date_hierarchy = "date"
    fieldsets = [
        (None, {"fields": ["force", "date", "period", "mode", "theme", "notes"]}),
        ("The paper's front sheet", {
            "fields": ["reference", "author", "contact", "recommendation"],
            "description": "The cover report of the panel pack for this meeting. Its purpose, background, "
                           "executive summary, PCC key activity and list of appendices are written from the "
                           "plan, the period and the executive summary for the period.",
        }),
    ]


@admin.register(models.ForceMembership)
class ForceMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "force"]
    list_filter = ["force"]
    autocomplete_fields = ["user", "force"]


admin.site.site_header = "pccperf data entry"
admin.site.site_title = "pccperf"
admin.site.index_title = "Returns, assessments and commentary"
