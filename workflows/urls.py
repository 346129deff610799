from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("projects", api.ProjectViewSet, basename="project")
router.register("criteria", api.CriterionViewSet, basename="criterion")
router.register("gates", api.GateViewSet, basename="gate")

urlpatterns = [
    path("projects/<int:pk>/checklist/", api.ChecklistView.as_view(), name="checklist"),
    path(
        "projects/<int:pk>/checklist/<int:item_id>/",
        api.ChecklistItemView.as_view(),
        name="checklist-item",
    ),
    path("projects/<int:pk>/transitions/", api.TransitionsView.as_view(), name="transitions"),
    path(
        "projects/<int:pk>/transitions/<str:name>/",
        api.FireTransitionView.as_view(),
        name="transition-fire",
    ),
    path("projects/<int:pk>/reviews/", api.ProjectReviewsView.as_view(), name="project-reviews"),
    path("projects/<int:pk>/history/", api.HistoryView.as_view(), name="history"),
    path("reviews/<int:review_id>/", api.ReviewView.as_view(), name="review"),
    path("reviews/<int:review_id>/decisions/", api.DecisionsView.as_view(), name="decisions"),
    path("reviews/<int:review_id>/withdraw/", api.WithdrawView.as_view(), name="withdraw"),
    *router.urls,
]
