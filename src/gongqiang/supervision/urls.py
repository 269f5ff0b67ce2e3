from django.urls import path

from .views import assessments, bulletins, dispatch, meetings, tasks

app_name = "supervision"

urlpatterns = [
    path("lines/", tasks.LineListView.as_view(), name="lines"),
    path("tasks/", tasks.TaskListView.as_view(), name="tasks"),
    path("tasks/export.xlsx", tasks.TaskExportView.as_view(), name="tasks-export"),
    path("tasks/import/", tasks.TaskImportView.as_view(), name="tasks-import"),
    path("tasks/import/template.xlsx", tasks.TaskTemplateView.as_view(), name="tasks-template"),
    path("tasks/<int:pk>/", tasks.TaskDetailView.as_view(), name="task"),
    path("tasks/<int:pk>/report/", dispatch.ReportFileView.as_view(), name="report-file"),
    path("dispatch/", dispatch.DispatchOverviewView.as_view(), name="dispatch"),
    path("reports/<int:pk>/", dispatch.ReportDetailView.as_view(), name="report"),
    path("reports/<int:pk>/notes/", dispatch.NoteAddView.as_view(), name="note-add"),
    path("notes/<int:pk>/answer/", dispatch.NoteAnswerView.as_view(), name="note-answer"),
    path("bulletins/", bulletins.BulletinListView.as_view(), name="bulletins"),
    path("bulletins/<int:pk>/", bulletins.BulletinDetailView.as_view(), name="bulletin"),
    path("bulletins/<int:pk>/edit/", bulletins.BulletinEditView.as_view(), name="bulletin-edit"),
    path("bulletins/<int:pk>/bulletin.docx", bulletins.BulletinFileView.as_view(kind="docx"), name="bulletin-docx"),
    path("bulletins/<int:pk>/bulletin.pdf", bulletins.BulletinFileView.as_view(kind="pdf"), name="bulletin-pdf"),
    path("assessments/", assessments.SheetListView.as_view(), name="assessments"),
    path("assessments/export.xlsx", assessments.SheetExportView.as_view(), name="assessments-export"),
    path("assessments/<int:pk>/", assessments.SheetDetailView.as_view(), name="assessment"),
    path("assessments/<int:pk>/act/", assessments.SheetActionView.as_view(), name="assessment-act"),
    path("meetings/", meetings.MeetingListView.as_view(), name="meetings"),
    path("meetings/new/", meetings.MeetingCreateView.as_view(), name="meeting-new"),
    path("cases/", meetings.CaseListView.as_view(), name="cases"),
    path("cases/new/", meetings.CaseCreateView.as_view(), name="case-new"),
    path("cases/<int:pk>/", meetings.CaseDetailView.as_view(), name="case"),
    path("cases/<int:pk>/publish/", meetings.CasePublishView.as_view(), name="case-publish"),
    path("attachments/<int:pk>/", dispatch.AttachmentView.as_view(), name="attachment"),
    path("notifications/", dispatch.NotificationListView.as_view(), name="notifications"),
]
