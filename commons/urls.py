from django.urls import path

from . import api

urlpatterns = [
    path("projects/<int:pk>/reuses/", api.ProjectReusesView.as_view(), name="project-reuses"),
    path("projects/<int:pk>/reuses/<int:reuse_id>/", api.ReuseView.as_view(), name="project-reuse"),
    path(
        "projects/<int:pk>/reuses/<int:reuse_id>/verify/",
        api.VerifyView.as_view(),
        name="reuse-verify",
    ),
    path(
        "projects/<int:pk>/reuses/<int:reuse_id>/refuse/",
        api.RefuseView.as_view(),
        name="reuse-refuse",
    ),
    path(
        "projects/<int:pk>/reuses/<int:reuse_id>/confirm/",
        api.ConfirmView.as_view(),
        name="reuse-confirm",
    ),
    path("reuses/", api.ReusesView.as_view(), name="reuses"),
    path("projects/<int:pk>/renewals/", api.ProjectRenewalsView.as_view(), name="project-renewals"),
    path("renewals/<int:renewal_id>/", api.RenewalView.as_view(), name="renewal"),
    path("renewals/<int:renewal_id>/votes/", api.RenewalVotesView.as_view(), name="renewal-votes"),
]
