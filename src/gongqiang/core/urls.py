from django.urls import path

from .views import admin, auth, policy

app_name = "core"

urlpatterns = [
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("healthz", admin.HealthView.as_view(), name="health"),
    path("policy/packs/", policy.PolicyPackListView.as_view(), name="policy-packs"),
    path("policy/packs/<int:pk>/", policy.PolicyPackDetailView.as_view(), name="policy-pack"),
    path("policy/targets/", policy.TargetListView.as_view(), name="policy-targets"),
    path("policy/task-lines/", policy.TaskLineListView.as_view(), name="policy-task-lines"),
    path("admin/organisation/", policy.OrganisationView.as_view(), name="organisation"),
    path("admin/users/", admin.UserListView.as_view(), name="users"),
    path("admin/audit/changes/", admin.ChangeRecordListView.as_view(), name="audit-changes"),
    path("admin/audit/changes/<int:pk>/", admin.ChangeRecordDetailView.as_view(), name="audit-change"),
    path("admin/audit/logins/", admin.AuthEventListView.as_view(), name="audit-logins"),
    path("account/api-tokens/", admin.ApiTokenView.as_view(), name="api-tokens"),
]
